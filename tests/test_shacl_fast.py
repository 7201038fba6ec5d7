"""The fast SHACL engine against pySHACL (the reference): same conformance and
the same (severity, focus node, path, constraint component, value, source
shape) results, on

- the cases of the W3C SHACL core test suite whose features the fast engine
  compiles (../shared/w3c/shacl; the others must be refused with
  :class:`Unsupported`, never answered differently);
- the project's shapes over one graph holding the seed data, every example of
  tests/shapes/{valid,invalid}/ and a small generated graph with injected
  errors.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from actorgraph.project import Project
from actorgraph.store import EmbeddedStore
from actorgraph.validation import Result, load_shapes, run_pyshacl, validate_store
from actorgraph.validation.compiler import Unsupported
from actorgraph.validation.fast import validate_fast

ROOT = Path(__file__).resolve().parents[1]
W3C_CORE = ROOT.parent / "shared" / "w3c" / "shacl" / "core"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"


def keys(results: list[Result], literals: bool = True) -> Counter[tuple[str, ...]]:
    """Results as comparable tuples; blank nodes are anonymous on both sides.
    With ``literals=False`` literal values are compared only as "a literal":
    rdflib rewrites some lexical forms ("4.0" for 4.0) that Oxigraph keeps."""

    def anon(text: str | None) -> str:
        if not text:
            return ""
        if text.startswith("_:"):
            return "_:"
        if not literals and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S*$", text):
            return "literal"
        return text

    return Counter(
        (r.severity, anon(r.focus), r.path or "", r.component, anon(r.value), anon(r.source))
        for r in results
    )


def conforms(results: list[Result]) -> bool:
    return not any(r.severity == "Violation" for r in results)


# --------------------------------------------------------------------- W3C core suite


def w3c_cases() -> list[Any]:
    if not W3C_CORE.is_dir():
        return []
    cases = []
    for manifest in sorted(W3C_CORE.glob("*/manifest.ttl")):
        g = Graph().parse(manifest, format="turtle")
        for include in sorted(g.objects(None, URIRef(MF + "include")), key=str):
            path = Path(str(include).removeprefix("file://"))
            if path.is_file():
                cases.append(pytest.param(path, id=f"{path.parent.name}/{path.stem}"))
    return cases


def w3c_graphs(path: Path) -> tuple[Path, Path]:
    g = Graph().parse(path, format="turtle")
    action = next(g.objects(None, URIRef(MF + "action")))
    data = g.value(action, URIRef(SHT + "dataGraph"))
    shapes = g.value(action, URIRef(SHT + "shapesGraph"))
    return Path(str(data).removeprefix("file://")), Path(str(shapes).removeprefix("file://"))


@pytest.mark.parametrize("case", w3c_cases())
def test_w3c_core_case_same_as_pyshacl(case: Path) -> None:
    data_file, shapes_file = w3c_graphs(case)
    shapes = Graph().parse(shapes_file, format="turtle")
    store = EmbeddedStore()
    store.load_file(data_file, graph="urn:test:data")
    try:
        fast = validate_fast(store, shapes)
    except Unsupported as exc:
        assert exc.message  # refused, and says why
        return
    reference = run_pyshacl(Graph().parse(data_file, format="turtle"), shapes)
    assert conforms(fast) == conforms(reference)
    assert keys(fast, literals=False) == keys(reference, literals=False)


def test_w3c_core_cases_mostly_compiled() -> None:
    """Guard against the engine refusing everything (which the test above would accept)."""
    if not W3C_CORE.is_dir():
        pytest.skip(f"the W3C SHACL suite is absent ({W3C_CORE})")
    compiled = 0
    for param in w3c_cases():
        data_file, shapes_file = w3c_graphs(param.values[0])
        store = EmbeddedStore()
        store.load_file(data_file, graph="urn:test:data")
        try:
            validate_fast(store, Graph().parse(shapes_file, format="turtle"))
            compiled += 1
        except Unsupported:
            pass
    assert compiled >= 80


# ------------------------------------------------------------ the project's shapes

#: Faults written into the generated graph, one per kind of constraint the shapes use.
INJECTED = """
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix agproj: <https://w3id.org/actorgraph/id/project/> .
@prefix agres: <https://w3id.org/actorgraph/id/resource/> .
@prefix agpart: <https://w3id.org/actorgraph/id/partnership/> .
@prefix agc: <https://w3id.org/actorgraph/id/concept/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
agorg:org-1 ag:siren "123456789" ; skos:prefLabel "Zweiter"@de , "Autre"@fr .
agorg:org-2 ag:inseeCode 75056 ; ag:generalInterest "yes" ; foaf:homepage "http://x" .
agorg:org-3 a ag:Association ; skos:prefLabel "Trois"@fr ; ag:rna "W12" ;
    schema:foundingDate "hier" .
agproj:project-5 a ag:Project ; skos:prefLabel "Cinq"@fr ; schema:startDate "2000"^^xsd:gYear ;
    schema:endDate "1999"^^xsd:gYear ; ag:theme agc:podcast ; ag:outputCount -1 .
agres:resource-nowhere a ag:Resource ; ag:titleTruncated "maybe" .
agpart:orphan a ag:Partnership ; ag:partner agc:design .
agorg:nameless a ag:Commune ; ag:inseeCode "7A" .
""".replace("foaf:homepage", "<http://xmlns.com/foaf/0.1/homepage>")


@pytest.fixture(scope="module")
def both_engines(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Seed data + shape examples + a small generated graph with faults, run by both engines."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # dataclasses look their module up there
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("generated")
    generate.generate(1500, out)
    (out / "injected.ttl").write_text(INJECTED, encoding="utf-8")

    store = EmbeddedStore()
    for source in project.sources():
        if source.group in ("ontology", "vocabulary") or source.path.parent.name == "graph":
            store.load_file(source.path, graph=source.graph)
    for path in sorted((ROOT / "tests" / "shapes").glob("*/*.ttl")):
        store.load_file(path, graph=f"urn:example:{path.parent.name}/{path.stem}")
    for path in sorted(out.glob("*.ttl")):
        store.load_file(path, graph=f"urn:generated:{path.stem}")
    shapes = load_shapes(project.shapes_files)
    return {
        "fast": validate_fast(store, shapes),
        "pyshacl": run_pyshacl(store.to_rdflib(), shapes),
    }


def test_project_shapes_same_results_as_pyshacl(both_engines: dict[str, Any]) -> None:
    fast, reference = keys(both_engines["fast"]), keys(both_engines["pyshacl"])
    assert fast - reference == Counter(), "results only the fast engine gives"
    assert reference - fast == Counter(), "results only pySHACL gives"


def test_project_shapes_same_messages(both_engines: dict[str, Any]) -> None:
    """The same sh:message texts in the same languages. For a SPARQL constraint
    both give the constraint's own messages, filled in, not its shape's
    (pySHACL's report holds both, the constraint's without their language tags,
    which ``results_from_graph`` puts back)."""

    def messages(results: list[Result]) -> Counter[tuple[Any, ...]]:
        return Counter(
            (*key, tuple(sorted(r.messages.items()))) for r in results for key in keys([r])
        )

    fast, reference = messages(both_engines["fast"]), messages(both_engines["pyshacl"])
    assert fast - reference == Counter(), "messages only the fast engine gives"
    assert reference - fast == Counter(), "messages only pySHACL gives"
    assert sum(fast.values()) > 100
    sparql = [r for r in both_engines["fast"] if r.component.endswith("SPARQLConstraintComponent")]
    assert len(sparql) > 5
    assert all(set(r.messages) == {"fr", "en"} for r in sparql)


def test_injected_faults_are_found(both_engines: dict[str, Any]) -> None:
    found = {
        (r.focus.rsplit("/", 1)[-1], r.component.rsplit("#", 1)[-1]) for r in both_engines["fast"]
    }
    for expected in [
        ("org-1", "SPARQLConstraintComponent"),  # Luhn
        ("org-1", "LanguageInConstraintComponent"),
        ("org-2", "DatatypeConstraintComponent"),
        ("org-2", "NodeKindConstraintComponent"),
        ("org-3", "PatternConstraintComponent"),
        ("org-3", "OrConstraintComponent"),
        ("project-5", "NodeConstraintComponent"),
        ("project-5", "MinInclusiveConstraintComponent"),
        ("resource-nowhere", "MinCountConstraintComponent"),
        ("orphan", "ClassConstraintComponent"),
        ("nameless", "PatternConstraintComponent"),
    ]:
        assert expected in found, expected
    assert not conforms(both_engines["fast"])


def test_unsupported_feature_falls_back_to_pyshacl(tmp_path: Path) -> None:
    shapes = tmp_path / "closed.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ;"
        " sh:property [ sh:path ex:name ] .\n",
        encoding="utf-8",
    )
    store = EmbeddedStore()
    store.load_bytes(
        b'<http://e/a> a <http://e/C> ; <http://e/other> "x" .', "ttl", graph="urn:test:data"
    )
    with pytest.raises(Unsupported, match="closed"):
        validate_fast(store, load_shapes([shapes]))
    report = validate_store(store, [shapes], engine="fast")
    assert report.engine.startswith("pyshacl (fast engine:")
    assert [r.component.rsplit("#", 1)[-1] for r in report.results] == [
        "ClosedConstraintComponent",
        "ClosedConstraintComponent",
    ]


def test_skipped_graphs_are_not_validated() -> None:
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:n ; sh:minCount 1 ] .",
        format="turtle",
    )
    store = EmbeddedStore()
    store.load_bytes(b"<http://e/a> a <http://e/C> .", "ttl", graph="urn:g:kept")
    store.load_bytes(b"<http://e/b> a <http://e/C> .", "ttl", graph="urn:g:skipped")
    assert {r.focus for r in validate_fast(store, shapes)} == {"http://e/a", "http://e/b"}
    assert {r.focus for r in validate_fast(store, shapes, ["urn:g:kept"])} == {"http://e/a"}
