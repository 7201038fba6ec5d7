"""The loader against the W3C RDF 1.1 Turtle and N-Triples test suites.

Negative syntax cases are rejected with a LoadError naming the file and a
line; positive evaluation cases load to a graph isomorphic to their expected
N-Triples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from actorgraph.errors import LoadError
from actorgraph.store import EmbeddedStore

SHARED = Path(__file__).resolve().parents[2] / "shared"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")
W3C_BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"


def _cases(suite: str, *kinds: str) -> list[tuple[str, Path, Path | None]]:
    manifest = SHARED / "w3c" / suite / "manifest.ttl"
    if not manifest.is_file():
        return []
    g = Graph().parse(manifest, format="turtle")
    cases = []
    for kind in kinds:
        for test in g.subjects(RDF.type, RDFT[kind]):
            action = g.value(test, MF.action)
            result = g.value(test, MF.result)
            name = str(g.value(test, MF.name))
            cases.append(
                (
                    name,
                    Path(URIRef(action).removeprefix("file://")),
                    Path(URIRef(result).removeprefix("file://")) if result else None,
                )
            )
    return sorted(cases)


NEGATIVE = _cases("rdf-turtle", "TestTurtleNegativeSyntax", "TestTurtleNegativeEval") + _cases(
    "rdf-n-triples", "TestNTriplesNegativeSyntax"
)
POSITIVE_EVAL = _cases("rdf-turtle", "TestTurtleEval")
NEEDS_SUITE = pytest.mark.skipif(
    not (SHARED / "w3c").is_dir(), reason="../shared/w3c is absent: W3C suites not available"
)


@NEEDS_SUITE
def test_the_suites_are_found() -> None:
    assert len(NEGATIVE) > 80
    assert len(POSITIVE_EVAL) > 100


@NEEDS_SUITE
@pytest.mark.parametrize(("name", "action", "_result"), NEGATIVE, ids=[c[0] for c in NEGATIVE])
def test_negative_syntax_is_rejected_with_file_and_line(
    name: str, action: Path, _result: Path | None
) -> None:
    store = EmbeddedStore()
    with pytest.raises(LoadError) as info:
        store.load_file(action, graph="https://w3id.org/actorgraph/graph/test")
    err = info.value
    assert err.file == str(action)
    assert err.line is not None and err.line >= 1, f"{name}: no line in {err}"
    assert len(store) == 0, "a rejected file must leave the store unchanged"


@NEEDS_SUITE
@pytest.mark.parametrize(
    ("name", "action", "result"), POSITIVE_EVAL, ids=[c[0] for c in POSITIVE_EVAL]
)
def test_positive_eval_loads_the_expected_graph(name: str, action: Path, result: Path) -> None:
    # The suite's expected results use the published location as base IRI.
    base = W3C_BASE + action.name
    store = EmbeddedStore()
    data = action.read_bytes()
    if not data.strip():
        with pytest.raises(LoadError, match="empty"):
            store.load_file(action)
        return
    store.load_bytes(data, "ttl", graph="https://w3id.org/actorgraph/graph/test", base_iri=base)
    # The store keeps literals in canonical form ("1.0"^^xsd:decimal is "1"): load the
    # expected N-Triples through the same store so both sides are canonical alike.
    expected = EmbeddedStore()
    expected.load_bytes(
        result.read_bytes() or b"", "nt", graph="https://w3id.org/actorgraph/graph/test"
    )
    assert isomorphic(store.to_rdflib(), expected.to_rdflib()), name
