"""CSV cells that a spreadsheet cannot mistake for a formula (CSV injection).

Spreadsheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and
some also after a leading tab or carriage return, so a letter titled ``=HYPERLINK(…)`` could
run code on the archivist's machine when a CSV is opened. OWASP's rule is to prefix such a
cell with a single quote, which the spreadsheet shows as text. It lives in ``metadata``, the
lowest layer, so every CSV writer (``search --csv``, the CSV export) can use the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable

#: the first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Numbers and ``None`` pass unchanged: the CSV module writes them as digits, never as a
    formula, and scripts reading a score column keep a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: Iterable[object]) -> list[object]:
    """Each cell of a CSV row through :func:`neutralise_cell`."""
    return [neutralise_cell(value) for value in values]
