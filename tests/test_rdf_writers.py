"""The writer registry (``actorgraph.rdf``): lookups, content negotiation, and its
two entry points, which must follow the same rules: a collection of statements
gives the bytes its store would, whatever the statements' order and blank-node
labels; and the callers that write through it (query answers, links files)."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace
from typing import Any

import pyoxigraph as ox
import pytest

from actorgraph import rdf
from actorgraph.errors import ActorGraphError
from actorgraph.export import select_graphs
from actorgraph.ingest.tordf import to_turtle
from actorgraph.link import Link, link_triples, read_links, render_links
from actorgraph.project import Project
from actorgraph.query import GRAPH_FORMATS, Answer, render
from actorgraph.rdf import registry
from actorgraph.rdf.jsonld import load_context
from actorgraph.store import EmbeddedStore

EX = "http://example.org/"
ORG = "https://w3id.org/actorgraph/id/organisation/"
G = "https://w3id.org/actorgraph/graph/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")

#: How pyoxigraph reads each registered format back.
PARSE = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def canonical(quads: list[ox.Quad], *, union: bool = False) -> set[str]:
    """Statements as canonical N-Quads strings, to compare as datasets."""
    if union:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


def parsed(data: bytes, name: str) -> list[ox.Quad]:
    return list(ox.parse(data, format=PARSE[name]))


def sample() -> list[ox.Quad]:
    """Statements with what the writers treat apart: types, blank nodes, typed
    literals, two named graphs and the default graph, one triple in two graphs."""
    a, b = ox.NamedNode(ORG + "a"), ox.NamedNode(ORG + "b")
    g1, g2 = ox.NamedNode(G + "one"), ox.NamedNode(G + "two")
    contact, other = ox.BlankNode(), ox.BlankNode()
    return [
        ox.Quad(b, LABEL, ox.Literal("B", language="fr"), g1),
        ox.Quad(b, TYPE, ox.NamedNode("https://w3id.org/actorgraph/ontology#Association"), g1),
        ox.Quad(a, LABEL, ox.Literal('A "quoted"\nline'), g1),
        ox.Quad(a, LABEL, ox.Literal('A "quoted"\nline'), g2),
        ox.Quad(
            a,
            ox.NamedNode(EX + "count"),
            ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            g2,
        ),
        ox.Quad(a, ox.NamedNode(EX + "contact"), contact, g2),
        ox.Quad(contact, ox.NamedNode(EX + "mail"), ox.Literal("a@example.org"), g2),
        ox.Quad(contact, ox.NamedNode(EX + "next"), other, g2),
        ox.Quad(other, ox.NamedNode(EX + "mail"), ox.Literal("b@example.org"), g2),
        ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "p"), ox.Literal("default")),
    ]


def relabelled(quads: list[ox.Quad], seed: int) -> list[ox.Quad]:
    """The same statements shuffled, with fresh blank-node labels."""
    fresh: dict[str, ox.BlankNode] = {}

    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return fresh.setdefault(t.value, ox.BlankNode())
        return t

    out = [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]
    random.Random(seed).shuffle(out)
    return out


# ---- lookups -------------------------------------------------------------------


def test_every_builtin_format_is_found_by_name_media_type_alias_and_extension() -> None:
    expected = {
        "ttl": ("text/turtle", "ttl", "application/x-turtle"),
        "nt": ("application/n-triples", "nt", None),
        "nq": ("application/n-quads", "nq", "text/x-nquads"),
        "trig": ("application/trig", "trig", "application/x-trig"),
        "jsonld": ("application/ld+json", "jsonld", "application/json"),
    }
    assert rdf.names() == tuple(expected)
    for name, (media_type, extension, alias) in expected.items():
        fmt = rdf.get(name)
        assert (fmt.name, fmt.media_type, fmt.extension) == (name, media_type, extension)
        assert rdf.by_media_type(media_type) is fmt
        assert rdf.by_media_type(media_type.upper() + "; charset=utf-8") is fmt
        assert rdf.by_extension(extension) is fmt
        assert rdf.by_extension("." + extension.upper()) is fmt
        if alias:
            assert rdf.by_media_type(alias) is fmt
    assert [f.name for f in rdf.formats() if f.datasets] == ["nq", "trig"]
    assert rdf.by_media_type("text/html") is None and rdf.by_extension("rdf") is None


def test_an_unknown_format_name_is_a_usage_error() -> None:
    with pytest.raises(ActorGraphError) as err:
        rdf.get("rdfxml")
    assert err.value.exit_code == 2 and err.value.field == "--format"
    with pytest.raises(ActorGraphError):
        rdf.serialize_triples([], "rdfxml")


class CountWriter:
    """A writer from outside the package: it counts statements."""

    def write_graphs(self, store: EmbeddedStore, graphs: list[str], **_: Any) -> bytes:
        return str(
            sum(
                1
                for g in graphs
                for _ in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))
            )
        ).encode()

    def write_statements(self, statements: list[ox.Quad], **_: Any) -> bytes:
        return str(len(statements)).encode()


COUNT_WRITER = CountWriter()


def test_a_registered_format_is_loaded_on_first_use_and_negotiated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    fmt = rdf.Format(
        "count", "text/x-count", ("count",), f"{__name__}:COUNT_WRITER", aliases=("text/x-n",)
    )
    rdf.register(fmt)
    assert rdf.by_extension("count") is fmt and rdf.by_media_type("text/x-n") is fmt
    assert rdf.negotiate("text/x-count, text/turtle") is fmt
    assert rdf.serialize_triples(sample(), "count") == b"10"
    store = EmbeddedStore()
    store.add_quads(sample())
    assert rdf.serialize_graphs(store, fmt, [G + "one"]) == b"3"
    for clash in (
        rdf.Format("dup", "text/turtle", ("dup",), "x:y"),
        rdf.Format("dup", "text/x-dup", ("TTL",), "x:y"),
        rdf.Format("dup", "text/x-dup", ("dup",), "x:y", aliases=("application/json",)),
    ):
        with pytest.raises(ActorGraphError, match="already names format"):
            rdf.register(clash)
    assert "dup" not in rdf.names()


# ---- content negotiation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/turtle", "ttl"),
        ("TEXT/Turtle", "ttl"),
        ("application/n-triples;q=0.5, text/turtle;q=0.9", "ttl"),
        ("application/ld+json, text/turtle", "jsonld"),  # equal weights: the header's order
        ("text/turtle, application/ld+json", "ttl"),
        ("application/json", "jsonld"),  # an alias
        ("application/ld+json;q=0.2, application/json;q=0.9, text/turtle;q=0.5", "jsonld"),
        ("application/*, text/turtle;q=0.5", "nt"),  # an alias is matched when named only
        ("application/x-turtle;q=0.9, application/n-triples;q=0.8", "ttl"),
        ("text/*", "ttl"),
        ("application/*", "nt"),  # equal weights, one range: the order of registration
        ("*/*", "ttl"),
        ("", "ttl"),
        (None, "ttl"),
        ("text/turtle;q=0, */*", "nt"),  # refused by its own range, however broad the other
        ("*/*;q=0.1, application/trig", "trig"),
        ("text/*;q=0.2, text/turtle;q=0.1, application/n-quads;q=0.15", "nq"),  # most specific
        ('application/ld+json;profile="urn:a,urn:b";q=0.8, text/turtle;q=0.7', "jsonld"),
        ("text/turtle;q=2, application/n-triples;q=0.5", "nt"),  # a bad weight drops its range
        ("text/turtle;q=0.5x, application/trig;q=0.1", "trig"),
        ("garbage, ,;q=1, */html, text/turtle", "ttl"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "ttl"),  # a browser
        ("application/n-quads;q=0.001", "nq"),
        ("text/html", None),
        ("*/*;q=0", None),
        ("application/n-triples;q=0.000", None),
    ],
)
def test_negotiation(accept: str | None, chosen: str | None) -> None:
    found = rdf.negotiate(accept)
    assert (found.name if found else None) == chosen


def test_negotiation_among_offered_formats() -> None:
    assert rdf.negotiate("text/turtle, */*;q=0.5", offered=["nt", "jsonld"]).name == "nt"  # type: ignore[union-attr]
    assert rdf.negotiate("text/turtle", offered=["nt"]) is None


def test_media_ranges_keep_the_header_order_and_weights() -> None:
    assert rdf.media_ranges('a/b;x="1,2";q=0.3 , c/*;Q=1.000,*/*;q=0.') == [
        ("a/b", 0.3),
        ("c/*", 1.0),
        ("*/*", 0.0),
    ]


# ---- the two entry points ----------------------------------------------------------


@pytest.mark.parametrize("name", rdf.names())
def test_the_same_statements_give_the_same_bytes(name: str) -> None:
    first = rdf.serialize_triples(sample(), name)
    for seed in range(3):
        assert rdf.serialize_triples(relabelled(sample(), seed), name) == first
    # each statement written once, and the writing reads back as the statements
    back = parsed(first, name)
    fmt = rdf.get(name)
    assert canonical(back, union=not fmt.datasets) == canonical(sample(), union=not fmt.datasets)
    assert len(back) == len(canonical(sample(), union=not fmt.datasets))


@pytest.mark.parametrize("name", rdf.names())
def test_statements_and_their_store_give_the_same_bytes(
    name: str, store: EmbeddedStore, project: Project
) -> None:
    # the ontology (blank nodes), vocabularies, data and links: thousands of statements
    graphs = select_graphs(store, ("ontology", "vocabulary", "data", "links"))
    quads = [
        q for g in graphs for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))
    ]
    assert any(isinstance(q.subject, ox.BlankNode) for q in quads)
    context = load_context(project) if name == "jsonld" else None
    expected = rdf.serialize_graphs(store, name, graphs, context=context)
    assert rdf.serialize_triples(relabelled(quads, 1), name, context=context) == expected


def test_turtle_declares_only_the_prefixes_it_uses_and_trig_writes_the_default_graph_bare() -> None:
    ttl = rdf.serialize_triples(sample(), "ttl").decode()
    assert [line.split()[1] for line in ttl.splitlines() if line.startswith("@prefix")] == [
        "ag:",
        "agorg:",
        "skos:",
    ]
    assert "GRAPH" not in ttl and "agorg:a\n" in ttl
    trig = rdf.serialize_triples(sample(), "trig").decode()
    default_block = '<http://example.org/x>\n    <http://example.org/p> "default" .\n'
    assert default_block in trig  # at top level, not indented in a graph block
    assert trig.index(default_block) < trig.index("aggraph:one {") < trig.index("aggraph:two {")
    nq = rdf.serialize_triples(sample(), "nq").decode().splitlines()
    assert nq[0] == '<http://example.org/x> <http://example.org/p> "default" .'


def test_a_blank_node_naming_a_graph_is_refused() -> None:
    quad = ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.BlankNode())
    with pytest.raises(ActorGraphError, match="blank node"):
        rdf.serialize_triples([quad], "nq")
    assert (
        rdf.serialize_triples([quad], "nt")
        == b'<http://example.org/a> <http://example.org/p> "x" .\n'
    )


def test_nothing_to_write() -> None:
    assert {name: rdf.serialize_triples([], name) for name in ("ttl", "nt", "nq", "trig")} == {
        "ttl": b"",
        "nt": b"",
        "nq": b"",
        "trig": b"",
    }
    assert json.loads(rdf.serialize_triples([], "jsonld"))["@context"]["ag"].endswith("ontology#")


def test_jsonld_is_compacted_with_the_project_prefixes_unless_given_a_context() -> None:
    doc = json.loads(rdf.serialize_triples(sample(), "jsonld"))
    ids = {node["@id"] for node in doc["@graph"]}
    assert {"agorg:a", "agorg:b", "http://example.org/x"} <= ids
    mine = {"skos": "http://www.w3.org/2004/02/skos/core#"}
    doc = json.loads(rdf.serialize_triples(sample(), "jsonld", context=mine))
    assert doc["@context"] == mine
    assert {node["@id"] for node in doc["@graph"]} >= {ORG + "a", ORG + "b"}


def duration_statement(lexical: str) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(EX + "project"),
        ox.NamedNode("https://w3id.org/actorgraph/ontology#immersionDuration"),
        ox.Literal(lexical, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration")),
        ox.NamedNode(G + "sheet"),
    )


def test_statements_are_written_as_given_and_a_store_writes_what_it_holds() -> None:
    # A store keeps literals in canonical form; a collection is written as it is.
    statement = duration_statement("P18M")
    assert b'"P18M"^^xsd:duration' in rdf.serialize_triples([statement], "ttl")
    store = EmbeddedStore()
    store.add_quads([statement])
    assert b'"P1Y6M"^^xsd:duration' in rdf.serialize_graphs(store, "ttl")


def test_an_ingested_file_holds_literals_as_the_project_store_will() -> None:
    extraction = SimpleNamespace(
        graph=G + "sheet",
        triples=lambda: [duration_statement("P18M").triple],
        sheet=SimpleNamespace(title=SimpleNamespace(value="T"), file_name="t.txt", sha256="0"),
    )
    data = to_turtle(extraction)  # type: ignore[arg-type]
    assert data.startswith(b"# actorgraph") and b'"P1Y6M"^^xsd:duration' in data


# ---- callers --------------------------------------------------------------------------


def construct_answer(seed: int) -> Answer:
    triples = [q.triple for q in relabelled(sample(), seed)]
    return Answer("CONSTRUCT", triples=triples)


@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_construct_answers_are_written_as_exports_are(name: str) -> None:
    first = render(construct_answer(0), name)
    assert isinstance(first, bytes)
    assert render(construct_answer(1), name) == first
    assert first == rdf.serialize_triples([q.triple for q in sample()], name)
    assert canonical(parsed(first, name)) == canonical(sample(), union=True)


def test_every_registered_format_is_a_construct_format() -> None:
    assert set(GRAPH_FORMATS) == set(rdf.names())


def test_a_links_file_is_turtle_from_the_registry_and_describes_itself() -> None:
    links = [
        Link(
            ORG + "ville-de-paris",
            "http://www.w3.org/2002/07/owl#sameAs",
            ORG + "commune-75056",
            "https://w3id.org/semapv/vocab/DatabaseCrossReference",
            1.0,
            "2026-11-27",
            "https://w3id.org/actorgraph/ontology#siren",
            "https://w3id.org/actorgraph/ontology#siren",
            "217500016",
            (("https://w3id.org/actorgraph/ontology#siren", "217500016"),),
        )
    ]
    text = render_links("gazetteer", links)
    banner, _, body = text.partition("\n\n")
    assert all(line.startswith("# ") for line in banner.splitlines())
    assert body.encode() == rdf.serialize_triples(link_triples("gazetteer", links), "ttl")
    # the file's own description comes first: its graph, then its source node
    statements = body.split("\n\n")
    assert statements[1].startswith(
        f"<{G}links/gazetteer>\n    prov:wasDerivedFrom agsrc:link-gazetteer"
    )
    assert statements[2].startswith("agsrc:link-gazetteer\n    a ag:Source ;")
    assert 'dcterms:title "Links computed by actorgraph link (gazetteer)"@en' in statements[2]
    assert 'sssom:confidence "1.00"^^xsd:decimal' in text


def test_a_links_file_reads_back_as_its_links(tmp_path: Any) -> None:
    links = [
        Link(
            ORG + f"org-{i}",
            "https://w3id.org/actorgraph/ontology#territoryItem",
            f"http://www.wikidata.org/entity/Q{i}",
            "https://w3id.org/semapv/vocab/LexicalMatching",
            0.7,
            "2026-01-15",
            "http://www.w3.org/2004/02/skos/core#prefLabel",
            "http://www.w3.org/2000/01/rdf-schema#label",
            f'Ville n°{i} "entre guillemets"',
        )
        for i in range(3)
    ]
    path = tmp_path / "wikidata.ttl"
    path.write_text(render_links("wikidata", links), encoding="utf-8")
    assert read_links(path) == links
