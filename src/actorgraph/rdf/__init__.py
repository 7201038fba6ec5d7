"""Every RDF output of the project goes through one registry of writers.

A format has a name, a media type (and aliases), file extensions and a writer
(:mod:`actorgraph.rdf.registry`); it is looked up by name (``--format``), by
media type or by file extension, or chosen from an ``Accept`` header
(:func:`negotiate`). Two entry points write:

* :func:`serialize_graphs`: chosen named graphs of a store (``export``, ``build``);
* :func:`serialize_triples`: a collection of triples or quads (a CONSTRUCT
  answer, a links file, an ingested sheet, a validation report).

Both are deterministic, with the same rules: subjects by kind then IRI,
``rdf:type`` first, canonical blank-node labels, and in Turtle and TriG only
the prefixes used, in the order of :data:`actorgraph.namespaces.PREFIXES`
(:mod:`actorgraph.rdf.lines`, :mod:`actorgraph.rdf.turtle`). JSON-LD is
compacted with the context given, by default one of those prefixes
(:mod:`actorgraph.rdf.jsonld`; ``export`` and ``build`` give the project's).

>>> import pyoxigraph as ox
>>> org = ox.NamedNode("https://w3id.org/actorgraph/id/organisation/fing")
>>> label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
>>> print(serialize_triples([ox.Triple(org, label, ox.Literal("Fing", language="fr"))], "ttl").decode())
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
<BLANKLINE>
agorg:fing
    skos:prefLabel "Fing"@fr .
<BLANKLINE>
>>> [f.name for f in formats()], negotiate("application/n-quads, */*;q=0.1").extension
(['ttl', 'nt', 'nq', 'trig', 'jsonld'], 'nq')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from ..store import EmbeddedStore
from .registry import (
    Format,
    Writer,
    by_extension,
    by_media_type,
    formats,
    get,
    media_ranges,
    names,
    negotiate,
    register,
)

for _builtin in (
    Format(
        "ttl",
        "text/turtle",
        ("ttl",),
        "actorgraph.rdf.writers:TURTLE",
        aliases=("application/x-turtle",),
    ),
    Format("nt", "application/n-triples", ("nt",), "actorgraph.rdf.writers:NTRIPLES"),
    Format(
        "nq",
        "application/n-quads",
        ("nq",),
        "actorgraph.rdf.writers:NQUADS",
        aliases=("text/x-nquads",),
        datasets=True,
    ),
    Format(
        "trig",
        "application/trig",
        ("trig",),
        "actorgraph.rdf.writers:TRIG",
        aliases=("application/x-trig",),
        datasets=True,
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ("jsonld",),
        "actorgraph.rdf.jsonld:WRITER",
        aliases=("application/json",),
    ),
):
    register(_builtin)


def _format(fmt: str | Format) -> Format:
    return fmt if isinstance(fmt, Format) else get(fmt)


def serialize_graphs(
    store: EmbeddedStore,
    fmt: str | Format,
    graphs: Iterable[str] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> bytes:
    """The named ``graphs`` of ``store`` (all of them when None) in ``fmt``,
    byte-for-byte stable. Formats without named graphs write their union.

    ``context`` is the JSON-LD context to compact with (other formats ignore it).

    >>> store = EmbeddedStore()
    >>> store.load_bytes(b'<http://example.org/a> <http://example.org/p> "1" .', "nt",
    ...                  graph="https://w3id.org/actorgraph/graph/g")
    1
    >>> print(serialize_graphs(store, "trig").decode())
    @prefix aggraph: <https://w3id.org/actorgraph/graph/> .
    <BLANKLINE>
    aggraph:g {
        <http://example.org/a>
            <http://example.org/p> "1" .
    }
    <BLANKLINE>
    """
    writer = _format(fmt).load()
    chosen = store.graphs() if graphs is None else list(graphs)
    return writer.write_graphs(store, chosen, context=context)


def serialize_triples(
    statements: Iterable[ox.Triple | ox.Quad],
    fmt: str | Format,
    *,
    context: Mapping[str, Any] | None = None,
) -> bytes:
    """A collection of triples, or quads, in ``fmt``, byte-for-byte stable: the
    same statements give the same bytes whatever their order and blank-node
    labels. A triple is a statement of the default graph; formats without named
    graphs write the union. Repeated statements are written once.

    >>> ex = "http://example.org/"
    >>> triple = ox.Triple(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p"), ox.Literal("x"))
    >>> quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(ex + "g"))
    >>> print(serialize_triples([quad, triple, triple], "nq").decode(), end="")
    <http://example.org/a> <http://example.org/p> "x" .
    <http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .
    >>> print(serialize_triples([quad, triple], "nt").decode(), end="")
    <http://example.org/a> <http://example.org/p> "x" .
    """
    quads = [
        s if isinstance(s, ox.Quad) else ox.Quad(s.subject, s.predicate, s.object)
        for s in statements
    ]
    return _format(fmt).load().write_statements(quads, context=context)


__all__ = [
    "Format",
    "Writer",
    "by_extension",
    "by_media_type",
    "formats",
    "get",
    "media_ranges",
    "names",
    "negotiate",
    "register",
    "serialize_graphs",
    "serialize_triples",
]
