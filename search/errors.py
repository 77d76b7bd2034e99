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
        # a pasted page would make the one line a page long
        shown = query if len(query) <= 80 else query[:79] + "…"
        super().__init__(f"cannot read the query {shown!r}: {reason}")


class QueryTooBroad(QuerySyntaxError):
    """A wildcard or fuzzy word standing for too many of the index's words to read them all."""

    code = "query-too-broad"

    def __init__(self, term: str, limit: int) -> None:
        self.query, self.limit = term, limit
        self.reason = f"it stands for more than {limit:,} words of the index"
        SearchError.__init__(
            self,
            f"{term!r} stands for more than {limit:,} words of the index, too many to search; "
            "give it more letters (Brief*, not B*) or search the word itself",
        )


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
