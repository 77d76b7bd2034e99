"""``epistula serve``: the archive over HTTP, read-only — OAI-PMH 2.0 for harvesters
(:mod:`archive.serve.oai`), the CMIF file for correspSearch, and web pages for readers
(:mod:`archive.serve.pages`), in one Starlette application (:mod:`archive.serve.app`).

It sits at the edge beside the CLI: of the archive it imports only the API and its errors, so
it reads letters exactly as the commands do, and sees what other processes add or edit
without a restart (:mod:`archive.serve.catalogue` notices changes cheaply).
"""
