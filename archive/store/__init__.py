"""The store: an OCFL 1.1 storage root on disk, which knows nothing of letters.

:mod:`archive.store.ocfl` reads, writes (one version at a time, or new objects in a batch) and
validates objects, and gives a head version's files by logical path
(:meth:`~archive.store.ocfl.StorageRoot.head_state`), so no module above parses an inventory or
rebuilds a storage path; :mod:`archive.store.constants` holds the spec's names.
"""
