"""Reading the server's RDF answers with two parsers (pyoxigraph and rdflib)
and checking they read the same graphs; shared by the server's tests."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

TTL, NT, NQ, TRIG, JSONLD = (
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
)
HTML, PLAIN = "text/html", "text/plain"

#: How to read each RDF media type: pyoxigraph format, rdflib format.
PARSERS = {
    TTL: (ox.RdfFormat.TURTLE, "turtle"),
    NT: (ox.RdfFormat.N_TRIPLES, "nt"),
    NQ: (ox.RdfFormat.N_QUADS, "nquads"),
    TRIG: (ox.RdfFormat.TRIG, "trig"),
    JSONLD: (ox.RdfFormat.JSON_LD, "json-ld"),
}


def media(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers["content-type"].split(";")[0].strip()


def rdflib_term(term):  # type: ignore[no-untyped-def]
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):  # RDF 1.1: the same literal
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def graph_name(quad: ox.Quad) -> str | None:
    return None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value


def parse_both(body: bytes, media_type: str) -> list[ox.Quad]:
    """Parse ``body`` with pyoxigraph and with rdflib, assert both read the same
    graphs (isomorphic, graph by graph), and return pyoxigraph's quads."""
    ox_format, rdflib_format = PARSERS[media_type]
    quads = list(ox.parse(body, format=ox_format))
    ours: dict[str | None, rdflib.Graph] = {}
    for quad in quads:
        ours.setdefault(graph_name(quad), rdflib.Graph()).add(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )
    dataset = rdflib.Dataset()
    dataset.parse(data=body, format=rdflib_format)
    theirs: dict[str | None, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = None if g in (None, DATASET_DEFAULT_GRAPH_ID) else str(g)
        theirs.setdefault(name, rdflib.Graph()).add((s, p, o))
    assert set(ours) == set(theirs)
    for name, graph in ours.items():
        assert len(graph) == len(theirs[name]), name
        assert isomorphic(graph, theirs[name]), name
    return quads
