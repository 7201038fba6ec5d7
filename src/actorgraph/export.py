"""Deterministic serialisations of the graph: the same input gives the same bytes.

Triples are sorted (subjects by kind then IRI, ``rdf:type`` first), blank
nodes are not relabelled at random, and prefixes come from
:data:`actorgraph.namespaces.PREFIXES` in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import ActorGraphError
from .fsutil import atomic_open
from .namespaces import BASE, PREFIXES
from .project import GROUPS, group_of
from .store import EmbeddedStore

#: Export format name → (pyoxigraph format, file extension).
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "nq": (ox.RdfFormat.N_QUADS, "nq"),
    "trig": (ox.RdfFormat.TRIG, "trig"),
}

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        ("source", "organisation", "project", "partnership", "resource", "concept")
    )
}


def _subject_key(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> tuple[int, int, str]:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(BASE + "id/"):
            kind = iri[len(BASE) + 3 :].split("/", 1)[0]
            return (1, _KIND_ORDER.get(kind, len(_KIND_ORDER)), iri)
        if iri.startswith(BASE):
            return (0, 0, iri)
        return (2, 0, iri)
    return (3, 0, str(term))


def _triple_key(t: ox.Triple) -> tuple[tuple[int, int, str], int, str, str]:
    p = t.predicate.value
    return (_subject_key(t.subject), 0 if p == _RDF_TYPE else 1, p, str(t.object))


def select_graphs(store: EmbeddedStore, groups: Iterable[str] | None) -> list[str]:
    """The named graphs of the given groups (all graphs when ``groups`` is None)."""
    if groups is None:
        return store.graphs()
    wanted = set(groups)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise ActorGraphError(
            f"unknown graph group {', '.join(sorted(unknown))}; expected {', '.join(GROUPS)}",
            field="--graph",
        )
    return [g for g in store.graphs() if group_of(g) in wanted]


def sorted_triples(store: EmbeddedStore, graphs: list[str]) -> list[ox.Triple]:
    """The union of ``graphs`` as a sorted, duplicate-free list of triples."""
    return sorted({q.triple for q in store.quads(graphs)}, key=_triple_key)


def sorted_quads(store: EmbeddedStore, graphs: list[str]) -> list[ox.Quad]:
    return sorted(store.quads(graphs), key=lambda q: (q.graph_name.value, *_triple_key(q.triple)))


def serialize(store: EmbeddedStore, fmt: str, graphs: list[str] | None = None) -> bytes:
    """The graph in ``fmt`` (ttl, nt, nq, trig), byte-for-byte stable."""
    if fmt not in EXPORT_FORMATS:
        raise ActorGraphError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}",
            field="--format",
        )
    rdf_fmt, _ = EXPORT_FORMATS[fmt]
    chosen = store.graphs() if graphs is None else graphs
    if rdf_fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = sorted_quads(store, chosen)
    else:
        data = sorted_triples(store, chosen)
    prefixes = PREFIXES if rdf_fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(data, format=rdf_fmt, prefixes=prefixes) or b""


def write(store: EmbeddedStore, fmt: str, path: Path, graphs: list[str] | None = None) -> int:
    """Write the graph to ``path`` atomically; returns the number of bytes."""
    data = serialize(store, fmt, graphs)
    with atomic_open(path) as handle:
        handle.write(data)
    return len(data)
