"""Pieces every ``epistula`` command shares: exit codes, ``--json``, errors, the archive."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from archive.api import Archive

EXIT_FAILED = 1
EXIT_USAGE = 2


def emit_json(data: Any) -> None:
    """One JSON document on stdout, valid whatever the data holds."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a file name that is not UTF-8): escape all
        text = json.dumps(data, ensure_ascii=True, indent=2)
    click.echo(text)


def plural(count: int, noun: str) -> str:
    """``1 letter``, ``2 letters``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(func)


def get_archive(ctx: click.Context) -> Archive:
    return ctx.find_object(Archive)  # type: ignore[return-value]


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class Period(click.ParamType):
    """Two years, the first not after the second: 1880-1931."""

    name = "period"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        first, _, last = str(value).strip().partition("-")
        if not (first.isdigit() and last.isdigit() and len(first) == len(last) == 4):
            self.fail(f"{value!r} is not a period of years (e.g. 1880-1931)", param, ctx)
        if int(first) > int(last):
            self.fail(f"{value!r} ends before it begins", param, ctx)
        return int(first), int(last)


def ocr_languages(archive: Archive, lang: str | None) -> str:
    """Tesseract's codes for ``--lang`` (or the archive's language); a usage error else."""
    try:
        return archive.ocr_languages(lang)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--lang") from None
