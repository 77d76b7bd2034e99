"""``epistula serve``: parse the options, build the application, run it under uvicorn."""

from __future__ import annotations

import logging
import sys

import click

from archive.api import Archive
from archive.serve.oai import MAX_PAGE_SIZE, PAGE_SIZE
from metadata.errors import EpistulaError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where readers and harvesters reach the server, if not at the address it listens "
    "on (e.g. behind a proxy: https://example.org/letters); the OAI base URL is URL/oai.",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, MAX_PAGE_SIZE),
    default=PAGE_SIZE,
    show_default=True,
    help="Records in one OAI-PMH list response (the rest follow by resumption token).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, base_url: str | None, page_size: int) -> None:
    """Serve the archive read-only: OAI-PMH at /oai, CMIF at /cmif.xml, web pages at /.

    Letters that other processes ingest or edit meanwhile are served without a restart.
    Listens on the loopback address unless --host says otherwise.

    \b
    Example:
      epistula serve --port 8000
      epistula serve --host 0.0.0.0 --base-url https://letters.example.org
    """
    import uvicorn  # (only serving needs the server; the other commands start without it)

    from archive.serve.app import create_app

    archive = ctx.find_object(Archive)
    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--base-url")
    try:
        app = create_app(archive.path, base_url=base_url, page_size=page_size)
    except EpistulaError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    shown = base_url or f"http://{host}:{port}"
    click.echo(f"Serving {archive.path} at {shown}/ (OAI-PMH: {shown}/oai)", err=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


__all__ = ["serve"]
