"""Services: what the archive does with its letters, each given the letters and the index path.

* :mod:`~archive.services.ingest` — files in: the worker pool, preparing and staging each
  letter, batch commits, the user's metadata (:mod:`~archive.services.sidecar`);
* :mod:`~archive.services.indexing` — the search index in step with the store (feed while
  ingesting, rebuild, verify and fix);
* :mod:`~archive.services.editing` — a letter's metadata changed as a new object version;
* :mod:`archive.exports` — the letters in the forms repositories take in (a services-layer
  package that keeps its path: scripts and benchmarks import ``archive.exports``).

None of them knows the :class:`~archive.api.Archive` that wires them.
"""
