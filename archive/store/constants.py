"""OCFL 1.1 constants used by the storage root (https://ocfl.io/1.1/spec/).

Spec words are kept as they are: a storage root holds objects; an object has an inventory
listing its versions; the manifest maps digests to content paths, each version's state maps
digests to logical paths, and fixity holds extra digests of the same content paths.
"""

from __future__ import annotations

import re

SPEC_VERSION = "1.1"
"""The OCFL specification version this code writes."""

STORAGE_ROOT_NAMASTE = "0=ocfl_1.1"
"""File name of the storage root conformance declaration (NAMASTE)."""

STORAGE_ROOT_NAMASTE_CONTENT = "ocfl_1.1\n"
"""Content of the storage root conformance declaration."""

OBJECT_NAMASTE = "0=ocfl_object_1.1"
"""File name of the object conformance declaration (NAMASTE)."""

OBJECT_NAMASTE_CONTENT = "ocfl_object_1.1\n"
"""Content of the object conformance declaration."""

INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
"""Value of the inventory ``type`` key."""

INVENTORY_FILENAME = "inventory.json"
"""File name of the inventory in the object root and in each version directory."""

DIGEST_ALGORITHM = "sha512"
"""Digest algorithm of the manifest and state blocks (the spec's recommended one)."""

INVENTORY_SIDECAR = f"{INVENTORY_FILENAME}.{DIGEST_ALGORITHM}"
"""File name of the inventory sidecar: ``<hexdigest> inventory.json``."""

FIXITY_ALGORITHM = "sha256"
"""Extra digest kept in the fixity block (to cross-check an original's SHA-256)."""

CONTENT_DIRECTORY = "content"
"""Name of the content directory in each version directory (the default, so not written)."""

VERSION_PATTERN = re.compile(r"v([1-9][0-9]*)")
"""Version directory names: ``v1``, ``v2``, … without zero-padding."""

LAYOUT_FILENAME = "ocfl_layout.json"
"""File name of the storage root's layout declaration."""

LAYOUT_EXTENSION = "0002-flat-direct-storage-layout"
"""Storage layout extension: the object id is used directly as the object root's directory name."""

LAYOUT = {
    "extension": LAYOUT_EXTENSION,
    "description": "Extension 0002: Flat Direct Storage Layout",
}
"""Content of ``ocfl_layout.json``.

No ``extensions/0002-flat-direct-storage-layout/config.json`` is written: the extension has no
parameters, the spec makes the file optional, and ocfl-py 2.1's validator fails on it.
"""

EXTENSIONS_DIRECTORY = "extensions"
"""Reserved directory for storage root extensions (never an object id)."""

OBJECT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
"""Object ids Epistula accepts: safe as one directory name under the flat direct layout."""

RESERVED_OBJECT_IDS = frozenset({EXTENSIONS_DIRECTORY, LAYOUT_FILENAME})
"""Names taken by the storage root itself, so never object ids."""

LOCK_FILENAME = "epistula-write.lock"
"""Epistula's own (not the spec's): the storage root file writers lock, one writer at a time.

The spec lets a storage root hold other files as direct children; validators ignore them.
"""

RESERVED_OBJECT_IDS = RESERVED_OBJECT_IDS | {LOCK_FILENAME}
