"""Typed search errors, each one line naming the problem and the remedy."""

from __future__ import annotations

from metadata.errors import EpistulaError


class SearchError(EpistulaError):
    """Base class for search and index problems (the message names the remedy)."""

    code = "search-error"


class QuerySyntaxError(SearchError):
    code = "query-syntax"

    def __init__(self, query: str, reason: str) -> None:
        self.query, self.reason = query, reason
        super().__init__(f"cannot read the query {query!r}: {reason}")


class IndexMissing(SearchError):
    code = "no-index"

    def __init__(self, path: object) -> None:
        super().__init__(
            f"no search index at {path}; ingest letters first, or run 'epistula reindex'"
        )


class IndexLocked(SearchError):
    code = "index-locked"

    def __init__(self, path: object, seconds: float) -> None:
        super().__init__(
            f"the search index at {path} is being written by another process and stayed locked "
            f"for {seconds:g} s; try again when that process has finished"
        )


class UnknownLetter(SearchError):
    code = "unknown-letter"

    def __init__(self, letter_id: str) -> None:
        self.letter_id = letter_id
        super().__init__(
            f"no letter {letter_id!r} in the search index; check the id with 'epistula list'"
        )


class IndexOutdated(SearchError):
    code = "index-outdated"

    def __init__(self, path: object) -> None:
        super().__init__(
            f"the search index at {path} was made by another version of Epistula; "
            "run 'epistula reindex' to rebuild it"
        )


class EmptyIndex(SearchError):
    code = "empty-index"

    def __init__(self, path: object) -> None:
        super().__init__(
            f"the search index at {path} holds no letters; ingest letters first "
            "(epistula ingest FILE…), or run 'epistula reindex' if the archive has some"
        )
