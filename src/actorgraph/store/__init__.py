"""The store port and its engines: the bottom layer of the package.

- :mod:`.port`: the :class:`Store` protocol every verb talks to;
- :mod:`.embedded`: pyoxigraph, in memory or on disk;
- :mod:`.remote`: any SPARQL 1.1 server (Protocol + Graph Store Protocol);
- :mod:`.persistent`: the project store on disk, refreshed per named graph;
- :mod:`.load`: a project's files into a store, one named graph per file;
- :mod:`.files`: RDF formats by file name, checked bytes, syntax errors;
- :mod:`.sparql`: query text helpers and :class:`Answer`;
- :mod:`.http`: the one HTTP client (deadline, retries, User-Agent).

:func:`open_store` picks the engine: a URL gives a remote store, otherwise the
project store. See ``docs/architecture.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .embedded import EmbeddedStore
from .files import FORMATS, QUAD_FORMATS, rdf_format, read_source, syntax_error
from .port import Store
from .sparql import Answer, Term

if TYPE_CHECKING:
    from ..project import Project
    from .persistent import Notify


def open_store(
    project: Project | None,
    url: str | None = None,
    *,
    notify: Notify | None = None,
    timeout: float | None = None,
) -> Store:
    """The store a verb works on: the server at ``url`` (SPARQL 1.1 query
    endpoint), or the project store of ``project``, fresh."""
    if url is not None:
        from .remote import RemoteStore

        return RemoteStore(url, timeout=timeout) if timeout else RemoteStore(url)
    if project is None:
        raise ValueError("open_store needs a project or a URL")
    from .persistent import open_project_store

    store: Store = open_project_store(project, notify)
    return store


def embedded_copy(store: Store, graphs: Iterable[str] | None = None) -> EmbeddedStore:
    """An embedded store to hand to code that needs one (the writers, the
    SHACL engines): ``store`` itself when it is embedded, else the named
    ``graphs`` (all by default) copied from the server into memory."""
    if isinstance(store, EmbeddedStore):
        return store
    copy = EmbeddedStore()
    data = store.dump(graphs)
    if data:
        copy.load_bytes(data, "nq", file=store.label)
    for graph in graphs or ():
        copy.ox.add_graph(ox.NamedNode(graph))
    return copy


__all__ = [
    "FORMATS",
    "QUAD_FORMATS",
    "Answer",
    "EmbeddedStore",
    "Store",
    "Term",
    "embedded_copy",
    "open_store",
    "rdf_format",
    "read_source",
    "syntax_error",
]
