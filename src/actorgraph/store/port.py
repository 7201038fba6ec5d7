"""The store port: what every verb may ask of a store, embedded or remote.

Two engines implement it: :class:`~actorgraph.store.embedded.EmbeddedStore`
(pyoxigraph, in memory or on disk) and
:class:`~actorgraph.store.remote.RemoteStore` (a SPARQL 1.1 server, through
the SPARQL 1.1 Protocol for queries and updates and the Graph Store HTTP
Protocol for whole graphs). Verbs are written against :class:`Store` and never
ask which engine they hold; see ``docs/architecture.md``.

Graphs cross the port as N-Triples (one graph) or N-Quads (several) bytes,
the formats every engine reads and writes fastest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from .sparql import Answer, Dataset, Term


@runtime_checkable
class Store(Protocol):
    """A quad store that answers SPARQL and holds named graphs."""

    #: How the store is named in messages: a folder, a URL or "memory".
    label: str

    def answer(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        timeout: float | None = None,
        dataset: Dataset | None = None,
    ) -> Answer:
        """Run a read-only query (SELECT, ASK, CONSTRUCT or DESCRIBE), over the
        project's graphs (their merge as the default graph) unless ``dataset``
        states another (the SPARQL 1.1 Protocol's ``default-graph-uri`` and
        ``named-graph-uri``)."""
        ...

    def select(
        self, text: str, bindings: Mapping[str, Any] | None = None, *, union: bool = True
    ) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable name → pyoxigraph term (unbound omitted).

        ``union``: the default graph is the union of the named graphs; when
        false, only ``GRAPH`` patterns see the named graphs."""
        ...

    def ask(self, text: str, bindings: Mapping[str, Any] | None = None) -> bool: ...

    def construct(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT query."""
        ...

    def describe(self, iri: str) -> list[ox.Triple]:
        """The statements about ``iri`` (as subject), in any graph."""
        ...

    def update(self, text: str, bindings: Mapping[str, Term] | None = None) -> None: ...

    def graphs(self) -> list[str]:
        """The named graphs, sorted."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Quads of one named graph, or of the whole store."""
        ...

    def read_graph(self, graph: str) -> bytes:
        """One named graph as N-Triples bytes."""
        ...

    def replace_graph(self, graph: str, data: bytes, fmt: str = "nt") -> None:
        """Make ``graph`` hold exactly ``data`` (parsed in ``fmt``)."""
        ...

    def dump(self, graphs: Iterable[str] | None = None) -> bytes:
        """Named graphs (all by default) as N-Quads bytes."""
        ...
