"""The ASGI application: routes, one log line a request, and errors that never show a traceback.

=====================================  =============================================
``/``                                  search (``q``, ``sort``, ``page``, ``size``)
``/letters/{id}``                      a letter, with its card and downloads
``/letters/{id}/tei.xml`` ``dc.xml``   its TEI and Dublin Core
``/letters/{id}/original``             the file it was ingested from
``/correspondents`` ``/places``        everyone and every place, with counts
``/oai``                               OAI-PMH 2.0 (GET and POST)
``/cmif.xml``                          the archive's CMIF file, for correspSearch
``/static/…``                          the style sheet
=====================================  =============================================

Only these routes exist: no path from a request names a file; letters are found by id through
the API, which checks the id's form, so nothing outside the archive can be reached.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from archive.api import Archive
from archive.serve.catalogue import Catalogue
from archive.serve.oai import PAGE_SIZE, Provider
from archive.serve.pages import HERE, Pages
from metadata.errors import EpistulaError

log = logging.getLogger("epistula.serve")
#: the largest OAI-PMH POST body read (the six verbs' arguments are a few hundred bytes)
MAX_FORM_BYTES = 16 * 1024


def create_app(
    archive_path: Path, *, base_url: str | None = None, page_size: int = PAGE_SIZE
) -> Starlette:
    """The application over the archive at ``archive_path`` (which must exist).

    ``base_url`` is where the server is reached from outside (``https://example.org/letters``),
    for the OAI base URL and the CMIF file's address; without it they are taken from each
    request. ``page_size`` is the number of records in one OAI-PMH list response.
    """
    archive = Archive(archive_path)
    archive.store()  # NoArchive now, not on the first request
    archive.repository_id  # noqa: B018 (bad settings, too, are told at once)
    catalogue = Catalogue(archive)
    # read every letter's datestamp and sets now, not when the first harvester asks (a
    # request that comes before it is done waits for it)
    threading.Thread(target=_warm, args=(catalogue,), name="catalogue", daemon=True).start()
    provider = Provider(archive, catalogue, page_size)
    pages = Pages(archive)
    cmif = _CmifCache(archive)

    def root_url(request: Request) -> str:
        if base_url:
            return base_url.rstrip("/")
        return str(request.base_url).rstrip("/")

    async def oai(request: Request) -> Response:
        arguments: dict[str, list[str]] = {}
        pairs = list(request.query_params.multi_items())
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                return PlainTextResponse("request body too large", status_code=413)
            # OAI-PMH POSTs are application/x-www-form-urlencoded, like a query string
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        for name, value in pairs:
            arguments.setdefault(name, []).append(value)
        data = await run_in_threadpool(provider.respond, arguments, root_url(request) + "/oai")
        return Response(data, media_type="text/xml; charset=utf-8")

    async def cmif_file(request: Request) -> Response:
        try:
            data = await run_in_threadpool(cmif.get, root_url(request) + "/cmif.xml")
        except EpistulaError as err:
            return PlainTextResponse(f"Error: {err}", status_code=503)
        return Response(data, media_type="application/xml")

    async def search(request: Request) -> Response:
        return await run_in_threadpool(pages.search, request)

    async def letter(request: Request) -> Response:
        return await run_in_threadpool(pages.letter, request.path_params["letter_id"])

    async def download(request: Request) -> Response:
        what = request.path_params["what"]
        if what not in ("tei.xml", "dc.xml", "original"):
            return pages.not_found()
        return await run_in_threadpool(pages.download, request.path_params["letter_id"], what)

    async def correspondents(request: Request) -> Response:
        return await run_in_threadpool(pages.names, request, "correspondents")

    async def places(request: Request) -> Response:
        return await run_in_threadpool(pages.names, request, "places")

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return PlainTextResponse("method not allowed", status_code=405)
        return pages.not_found()

    async def server_error(request: Request, exc: Exception) -> Response:
        # the reader gets one line; the log keeps the traceback for whoever runs the server
        log.exception("%s %s failed", request.method, request.url.path)
        message = str(exc) if isinstance(exc, EpistulaError) else "an unexpected error"
        return pages.error(500, "Something went wrong", message)

    app = Starlette(
        routes=[
            Route("/", search),
            Route("/letters/{letter_id}", letter),
            Route("/letters/{letter_id}/{what}", download),
            Route("/correspondents", correspondents),
            Route("/places", places),
            Route("/oai", oai, methods=["GET", "POST"]),
            Route("/cmif.xml", cmif_file),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={404: not_found, 405: not_found, 500: server_error},
    )
    app.add_middleware(_AccessLog)
    return app


def _warm(catalogue: Catalogue) -> None:
    try:
        catalogue.entries()
    except EpistulaError as err:  # the first request reports it
        log.warning("could not read the letters yet: %s", err)


class _CmifCache:
    """The CMIF file, made again only when the archive changed (it reads every letter)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._lock = threading.Lock()
        self._made: tuple[tuple[int, int], str, bytes] | None = None

    def get(self, url: str) -> bytes:
        with self._lock:
            revision = self.archive.revision()
            if self._made is None or self._made[:2] != (revision, url):
                self._made = (revision, url, self.archive.cmif_bytes(url))
            return self._made[2]


class _AccessLog:
    """One line per request: client, method, path and query, status, milliseconds."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %d %.1fms", client[0], scope["method"], path, status[0], elapsed)
