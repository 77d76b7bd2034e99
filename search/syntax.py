"""The rules a query must follow beyond Whoosh's grammar, and what dates and years mean.

Whoosh reads almost any text as some query: ``from:`` alone becomes the word "from",
``date:[1820 TO`` a search for "[1820", ``date:>1820`` includes 1820 itself. A reader who
mistyped should be told, so here a field without a value, a bracket or quote left open and a
comparison without a field are errors naming the remedy (:class:`QueryProblem`, which
:func:`search.query.parse_query` turns into ``QuerySyntaxError``).

Dates and years are read here, not by Whoosh. A date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``)
stands for the whole period it names, so ``date:>1820`` is after the last day of 1820,
``date:>=1820`` from its first day, ``date:<1820`` before its first day and ``date:<=1820``
up to its last; ``{`` and ``}`` in a range are strict the same way. Either end of a range may
be open, as ``*`` or left out (``date:[1820 TO *]``, ``date:[* TO 1830]``, ``date:[TO 1830]``).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from whoosh import query as wq
from whoosh.qparser import GtLtPlugin, PhrasePlugin, QueryParser, syntax
from whoosh.qparser.plugins import Plugin
from whoosh.util.times import datetime_to_long

#: fields holding a date or a year, read by :class:`DatesAndYears`
DATE_FIELD, YEAR_FIELD = "date", "year"
NOTES_FIELD = "has_notes"
#: the words Whoosh's BOOLEAN field reads as true or false
YES_NO = frozenset({"yes", "no", "true", "false", "t", "f", "1", "0"})
#: how dates and years are written, for error messages
DATE_FORMS = "write dates as YYYY, YYYY-MM or YYYY-MM-DD"
RANGE_FORM = "write a range as [1820 TO 1830], with * for an open end"
#: the longest query read, in characters (a long pasted passage fits; a 100,000-character
#: word took Whoosh's parser minutes)
MAX_QUERY_CHARS = 4000
#: the deepest nesting of ( ) groups read
MAX_DEPTH = 50
#: the most letters a fuzzy word may differ by (Niinisto~2); more matches almost anything
MAX_EDITS = 3
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR = re.compile(r"\d{1,4}")
_OPEN = {"", "*"}
_RANGE_TO = re.compile(r"(?:^|\s)to(?:\s|$)", re.IGNORECASE)


class QueryProblem(Exception):
    """What is wrong with a query, in words for its user (raised while parsing)."""


def check_size(text: str) -> None:
    """A :class:`QueryProblem` for a query too long or groups nested too deep to parse
    quickly (Whoosh's parser slows down with the square of a long word's length, and recurses
    once per group)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryProblem(
            f"it is {len(text):,} characters long; a query may be up to {MAX_QUERY_CHARS:,}"
        )
    depth = deepest = 0
    for char in _outside_quotes(text):
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        raise QueryProblem(
            f"its groups are nested {deepest} deep; a query may nest ( ) up to {MAX_DEPTH} deep"
        )


def _outside_quotes(text: str) -> Iterator[str]:
    inside = False
    for char in text:
        if char == '"':
            inside = not inside
        elif not inside:
            yield char


def check_brackets(text: str) -> None:
    """A :class:`QueryProblem` for a quote or a range bracket left open, a closing bracket
    without its opening one, or brackets around no range (``[1820 1830]``). Quoted text may
    hold any brackets."""
    opened: int | None = None
    at = 0
    while at < len(text):
        char = text[at]
        if char == '"':
            end = text.find('"', at + 1)
            if end < 0:
                raise QueryProblem(
                    f"the quote opened at {_excerpt(text, at)} is not closed; "
                    'close it (a phrase is written "like this")'
                )
            at = end + 1
            continue
        if char in "[{":
            if opened is not None:
                raise QueryProblem(
                    f"the range at {_excerpt(text, opened)} is not closed; {RANGE_FORM}"
                )
            opened = at
        elif char in "]}":
            if opened is None:
                raise QueryProblem(
                    f"{char!r} at {_excerpt(text, at)} closes no range; {RANGE_FORM} "
                    '(or quote the bracket: "[sic]")'
                )
            if not _RANGE_TO.search(text[opened + 1 : at]):
                raise QueryProblem(
                    f"{_excerpt(text, opened, at + 1)} is not a range; {RANGE_FORM} "
                    '(or quote the brackets: "[sic]")'
                )
            opened = None
        at += 1
    if opened is not None:
        raise QueryProblem(f"the range at {_excerpt(text, opened)} is not closed; {RANGE_FORM}")


def _excerpt(text: str, start: int, end: int | None = None) -> str:
    """The query's text from ``start`` (to ``end``, or a few characters on), quoted."""
    end = len(text) if end is None else end
    shown = text[start:end]
    return repr(shown if len(shown) <= 30 else shown[:30] + "…")


class FieldValues(Plugin):
    """A field name must be followed by its value: ``from:`` alone, ``from: Lund`` (the space
    ends the field) and ``date:>`` are errors, and so is a comparison without a field (``>1820``
    would otherwise search for the word 1820)."""

    def filters(self, parser: QueryParser) -> list[tuple[object, int]]:
        return [(self.check, 86)]  # after field names are checked (85), before comparisons (99)

    def check(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        nodes = list(group)
        for index, node in enumerate(nodes):
            if isinstance(node, syntax.GroupNode):
                self.check(parser, node)
            elif isinstance(node, GtLtPlugin.GtLtNode):
                before = nodes[index - 1] if index else None
                if not isinstance(before, syntax.FieldnameNode):
                    raise QueryProblem(
                        f"{node.rel!r} needs a field before it (date:{node.rel}1820, "
                        f"year:{node.rel}1820)"
                    )
            elif isinstance(node, syntax.FieldnameNode):
                following = nodes[index + 1 : index + 3]
                if following and isinstance(following[0], GtLtPlugin.GtLtNode):
                    following = following[1:]
                value = following[0] if following else None
                if value is None or value.is_ws() or isinstance(value, syntax.FieldnameNode):
                    raise QueryProblem(_no_value(node))
        return group


#: a value to show for each field in "has no value" errors (quoted when it has a space)
EXAMPLES = {
    DATE_FIELD: "1820-03", YEAR_FIELD: "1820", "lang": "de", "place": "Wien",
    "place_sent": "Wien", "place_received": "Bonn", "collection": "Beethoven",
    "format": "pdf", "has_notes": "yes", "id": "L-1820-03-03-beethoven-ries-0a1b2c3d",
    "title": "Förderantrag", "subject": "Förderantrag", "body": "Brief",
}  # fmt: skip


def _no_value(node: syntax.FieldnameNode) -> str:
    name = (node.original or f"{node.fieldname}:").rstrip(":")
    example = EXAMPLES.get(node.fieldname, '"Karin Lund"')
    return (
        f"'{name}:' has no value; write the value right after the colon, "
        f"with no space ({name}:{example})"
    )


class _Prepared(syntax.SyntaxNode):
    """A node whose query is already made (a date or year range)."""

    has_fieldname = True
    has_boost = True

    def __init__(self, fieldname: str, made: wq.Query, source: syntax.SyntaxNode) -> None:
        self.fieldname = fieldname
        self.made = made
        self.boost = getattr(source, "boost", 1.0)
        self.startchar, self.endchar = source.startchar, source.endchar

    def r(self) -> str:
        return repr(self.made)

    def query(self, parser: QueryParser) -> wq.Query:
        if self.boost != 1.0:
            self.made.boost = self.boost
        return syntax.attach(self.made, self)


class DatesAndYears(Plugin):
    """``date:`` and ``year:`` values, ranges and comparisons read with the meaning above;
    wildcards and fuzzy words there are errors, and so is ``has_notes:`` other than yes or no.
    An open ``*`` end works in every field's ranges."""

    def filters(self, parser: QueryParser) -> list[tuple[object, int]]:
        return [(self.read, 102)]  # after the fields filter (100) has given nodes their field

    def read(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for index, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[index] = self.read(parser, node)
                continue
            if isinstance(node, syntax.RangeNode):
                node.start = None if (node.start or "").strip() in _OPEN else node.start
                node.end = None if (node.end or "").strip() in _OPEN else node.end
            fieldname = node.fieldname if node.has_fieldname else None
            if fieldname in (DATE_FIELD, YEAR_FIELD):
                group[index] = _Prepared(fieldname, _field_query(fieldname, node), node)
            elif fieldname == NOTES_FIELD:
                _check_yes_no(node)
        return group


def _check_yes_no(node: syntax.SyntaxNode) -> None:
    """``has_notes:`` takes yes or no (Whoosh would read any other word as yes)."""
    text = getattr(node, "text", None)
    if type(node) is not syntax.WordNode or text.lower() not in YES_NO:
        shown = f", not {text!r}" if text else ""
        raise QueryProblem(f"{NOTES_FIELD}: takes yes or no ({NOTES_FIELD}:yes){shown}")


def _field_query(fieldname: str, node: syntax.SyntaxNode) -> wq.Query:
    read = _date_period if fieldname == DATE_FIELD else _year_period
    if isinstance(node, syntax.RangeNode):
        low = read(node.start)[1 if node.startexcl else 0] if node.start else None
        high = read(node.end)[0 if node.endexcl else 1] if node.end else None
        if node.startexcl and low is not None:
            low = _after(low)
        if node.endexcl and high is not None:
            high = _before(high)
    elif type(node) is syntax.WordNode or type(node) is PhrasePlugin.PhraseNode:
        low, high = read(node.text)
    else:
        raise QueryProblem(
            f"{fieldname}: takes a {fieldname}, a range or a comparison, never a wildcard "
            f"or fuzzy word ({fieldname}:1820, {fieldname}:[1820 TO 1830], {fieldname}:>1820)"
        )
    if low is not None and high is not None and low > high:
        raise QueryProblem(
            f"the {fieldname} range from {_shown(low)} to {_shown(high)} holds nothing; "
            "put the earlier end first"
        )
    if fieldname == DATE_FIELD:
        low = datetime_to_long(low) if low is not None else None
        high = datetime_to_long(high) if high is not None else None
    return wq.NumericRange(fieldname, low, high)


def _after(value: datetime | int) -> datetime | int:
    if isinstance(value, int):
        return value + 1
    if value.date() == datetime.max.date():
        raise QueryProblem("no letter can be dated after 9999; " + DATE_FORMS)
    return value + _INSTANT


def _before(value: datetime | int) -> datetime | int:
    if isinstance(value, int):
        return value - 1
    if value == datetime.min:
        raise QueryProblem("no letter can be dated before the year 1; " + DATE_FORMS)
    return value - _INSTANT


_INSTANT = timedelta(microseconds=1)


def _shown(value: datetime | int) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


def _date_period(text: str) -> tuple[datetime, datetime]:
    """The first and last instant of the period a date names ("1820-03" → all of March)."""
    text = text.strip()
    match = _DATE.fullmatch(text)
    if not match:
        raise QueryProblem(f"{text!r} is not a date; {DATE_FORMS}")
    year, month, day = (int(part) if part else None for part in match.groups())
    if year == 0:
        raise QueryProblem(f"there is no year 0 ({text!r}); {DATE_FORMS}")
    if month is not None and not 1 <= month <= 12:
        raise QueryProblem(f"there is no month {month} in {text!r}; {DATE_FORMS}")
    if day is not None and not 1 <= day <= monthrange(year, month)[1]:  # type: ignore[arg-type]
        raise QueryProblem(f"there is no day {day} in {text!r}; {DATE_FORMS}")
    first = datetime(year, month or 1, day or 1)  # type: ignore[arg-type]
    if day is None:
        last_month = month or 12
        first_last = first.replace(month=last_month, day=monthrange(year, last_month)[1])
    else:
        first_last = first
    return first, datetime.combine(first_last.date(), time.max)


def _year_period(text: str) -> tuple[int, int]:
    text = text.strip()
    if not _YEAR.fullmatch(text):
        raise QueryProblem(
            f"{text!r} is not a year; write year:1820, year:[1820 TO 1830] or year:>1820"
        )
    return int(text), int(text)
