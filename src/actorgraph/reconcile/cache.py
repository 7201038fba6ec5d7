"""The reconciliation index kept on disk, one per version of the data.

Building the index takes a couple of seconds (36k names parsed and indexed);
loading it back takes a fraction of one. It is kept only for the **project
store**, whose generations (``.actorgraph/store/g-…``) are never written again
once published: a generation's index is right for as long as the generation
exists, and a refresh makes a new generation, hence a new index. The key also
holds the gazetteer's table (``gazetteer-index.json.gz``, read beside the
store) and the source of the code that builds the index, so a changed matcher
never reads an older index. Any other store (a SPARQL server, a store in
memory) gets a fresh index every time.

Files: ``.actorgraph/reconcile/index-<key>.pickle``, written atomically; the
previous ones are removed when a new one is written. They are the project's
own files, read by its own code (pickle is not for files from elsewhere).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import pickle
import re
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..fsutil import keep_only
from ..project import Project
from ..refdata import INDEX_FILE
from ..store import Store
from ..store.persistent import generation_of
from .matcher import Reconciler, paused_gc

CACHE_DIR = Path(".actorgraph") / "reconcile"
#: Bumped when the pickled layout changes in a way the code digest would miss.
FORMAT = 1
_SOURCES = (
    "matcher.py",
    "entities.py",
    "vocab.py",
    "cache.py",
    "../match/names.py",
    "../match/index.py",
)


def data_version(store: Store, project: Project | None) -> str | None:
    """The key of the index of ``store``, when it is a generation of
    ``project``'s store; None otherwise (no index is kept)."""
    if project is None or (folder := generation_of(store, project)) is None:
        return None
    digest = hashlib.sha256(f"{FORMAT}\0{folder.name}".encode())
    index = project.reference_dir / INDEX_FILE
    digest.update(index.read_bytes() if index.is_file() else b"-")
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:20]


def _proxy(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """Pickles what the name index holds that :mod:`pickle` does not: read-only
    mappings and its counter."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        if type(obj) is itertools.count:
            m = re.fullmatch(r"count\((\d+)\)", repr(obj))
            return itertools.count, (int(m.group(1)) if m else 0,)
        return NotImplemented


def dumps(reconciler: Reconciler) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(reconciler)
    return buffer.getvalue()


def _path(store: Store, project: Project | None) -> Path | None:
    key = data_version(store, project)
    if key is None or project is None:
        return None
    return project.root / CACHE_DIR / f"index-{key}.pickle"


def cached(store: Store, project: Project | None) -> Reconciler | None:
    """The index kept for this version of ``store``'s data, if there is one."""
    path = _path(store, project)
    if path is None:
        return None
    try:
        with paused_gc():
            found = pickle.loads(path.read_bytes())
    except Exception:  # missing, or unreadable: built again, never trusted
        return None
    if not isinstance(found, Reconciler):
        return None
    found.store = store
    return found


def keep(reconciler: Reconciler, store: Store, project: Project | None) -> None:
    """Keep ``reconciler`` for the next start (when ``store`` is the project
    store); older indexes are removed. Failing to write only costs the next
    start a build."""
    path = _path(store, project)
    if path is None:
        return
    try:
        keep_only(path, dumps(reconciler), "index-*.pickle")
        # A server stopped while it wrote leaves its temporary file behind.
        for stale in path.parent.glob(".index-*.tmp"):
            if time.time() - stale.stat().st_mtime > 600:
                stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass


def load_or_build(store: Store, project: Project | None) -> tuple[Reconciler, bool]:
    """The index of ``store`` (with ``project``'s gazetteer table): the one
    kept on disk, else a new one; and whether it was built (so worth
    :func:`keep`-ing)."""
    found = cached(store, project)
    if found is not None:
        return found, False
    reference = project.reference_dir if project is not None else None
    return Reconciler.build(store, reference), True


__all__ = ["CACHE_DIR", "cached", "data_version", "keep", "load_or_build"]
