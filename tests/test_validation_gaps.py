"""Validation gaps closed: organisation IRIs outside the project's namespace,
ill-formed typed dates, one organisation under two IRIs, the message of a
nameless organisation, and the file each result comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from actorgraph.catalogue import catalogue
from actorgraph.cli import main
from actorgraph.project import Project, graph_iri
from actorgraph.store import EmbeddedStore
from actorgraph.store.load import load_files
from actorgraph.validation import ENGINES, Result, run_violation_queries, validate_store
from actorgraph.validation.provenance import add_graphs

EXAMPLES = Path(__file__).resolve().parent / "shapes" / "invalid"
PREFIXES = b"""
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


def _with_ontology(project: Project) -> EmbeddedStore:
    store = EmbeddedStore()
    store.load_file(project.ontology, graph=graph_iri("ontology", "actorgraph"))
    return store


def _check(project: Project, store: EmbeddedStore, name: str) -> set[tuple[str, str, str]]:
    """(focus, path, value) of each row of one violation query, IRIs shortened."""
    queries = [q for q in catalogue(project.queries_dir) if q.name == name]
    assert len(queries) == 1
    return {
        (_last(r.focus), _last(r.path), _last(r.value))
        for r in run_violation_queries(store, queries)
    }


def _last(text: str | None) -> str:
    return (text or "").rsplit("/", 1)[-1]


# ---- (a) organisation IRIs outside https://w3id.org/actorgraph/id/organisation/


def test_organisation_iris_outside_the_namespace_are_flagged(project: Project) -> None:
    store = _with_ontology(project)
    store.load_bytes(
        PREFIXES
        + b"""
<http://example.org/org/elsewhere> a ag:Association .
<https://w3id.org/actorgraph/id/project/misplaced> a ag:Commune .
<https://w3id.org/actorgraph/id/project/a-project> a ag:Project .
agorg:fine a ag:Commune , ag:LocalAuthority .
agorg:Bad_Slug a ag:Commune , ag:LocalAuthority .
[] a ag:Organisation .
""",
        "ttl",
        graph=graph_iri("data", "sheet"),
    )
    store.load_bytes(
        PREFIXES + b"<http://example.org/org/gazetteer-entry> a ag:Commune .",
        "ttl",
        graph=graph_iri("reference", "gazetteer"),
    )
    queries = [q for q in catalogue(project.queries_dir) if q.name == "instance-iri-violation"]
    messages = {
        r.focus.rsplit("/", 1)[-1]: r.message() for r in run_violation_queries(store, queries)
    }
    assert messages == {
        "elsewhere": "an organisation's IRI is not in https://w3id.org/actorgraph/id/organisation/",
        "misplaced": "an organisation's IRI is not in https://w3id.org/actorgraph/id/organisation/",
        "Bad_Slug": "the instance IRI does not follow id/<kind>/<slug>",
    }


# ---- (b) ill-formed typed dates


@pytest.mark.parametrize("engine", ENGINES)
def test_ill_formed_dates_are_violations_in_both_engines(project: Project, engine: str) -> None:
    example = EXAMPLES / "Organisation-ill-formed-dates.ttl"
    store, _ = load_files(project, [example])
    report = validate_store(store, project.shapes_files, engine=engine)
    found = {
        (r.focus.rsplit("/", 1)[-1], r.path.rsplit("/", 1)[-1] if r.path else "", r.value)
        for r in report.results
        if r.severity == "Violation"
    }
    assert found == {
        ("test-ill-formed-dates", "foundingDate", "twenty"),
        ("test-ill-formed-dates", "ontology#ceasedActivity", "2022-13"),
    }
    assert report.engine == engine


# ---- (c) one organisation under two IRIs

DUPLICATES = (
    PREFIXES
    + """
agorg:ville-de-saint-etienne a ag:Commune ; skos:prefLabel "Ville de Saint-Étienne"@fr .
agorg:saint-etienne-ville a ag:Commune ; skos:prefLabel "ville de saint etienne"@fr .
agorg:saint-etienne-metropole a ag:Metropole ; skos:prefLabel "Ville de Saint-Étienne"@fr .
agorg:one a ag:Association ; skos:prefLabel "Une"@fr ; ag:siren "732829320" .
agorg:two a ag:Association ; skos:prefLabel "Deux"@fr ; ag:siren "732829320" .
agorg:linked-a a ag:Association ; skos:prefLabel "Liée"@fr ; ag:siren "356000000" .
agorg:linked-b a ag:Association ; skos:prefLabel "Liee"@fr ; ag:siren "356000000" ;
    owl:sameAs agorg:linked-a .
""".encode()
)


def duplicates_store(project: Project) -> EmbeddedStore:
    """The ontology, ``DUPLICATES`` in a data graph, and gazetteer entries that
    are not duplicates: homonym communes, and the gazetteer's copy of a project
    organisation's SIREN."""
    store = _with_ontology(project)
    store.load_bytes(DUPLICATES, "ttl", graph=graph_iri("data", "sheet"))
    store.load_bytes(
        PREFIXES
        + b"""
agorg:commune-97416 a ag:Commune ; skos:prefLabel "Saint-Pierre"@fr .
agorg:commune-97502 a ag:Commune ; skos:prefLabel "Saint-Pierre"@fr .
agorg:epci-732829320 a ag:Metropole ; skos:prefLabel "Une"@fr ; ag:siren "732829320" .
""",
        "ttl",
        graph=graph_iri("reference", "gazetteer"),
    )
    return store


def test_the_same_organisation_under_two_iris_is_flagged(project: Project) -> None:
    store = duplicates_store(project)
    assert _check(project, store, "duplicate-organisation-violation") == {
        ("ville-de-saint-etienne", "core#prefLabel", "saint-etienne-ville"),
        ("saint-etienne-ville", "core#prefLabel", "ville-de-saint-etienne"),
        ("one", "ontology#siren", "two"),
        ("two", "ontology#siren", "one"),
    }


def test_the_seed_has_no_duplicate_organisation(project: Project, store: EmbeddedStore) -> None:
    """The seed's organisations share SIRENs with the gazetteer, linked by owl:sameAs."""
    assert _check(project, store, "duplicate-organisation-violation") == set()
    assert _check(project, store, "instance-iri-violation") == set()


# ---- (d) an organisation without a name


@pytest.mark.parametrize("engine", ENGINES)
def test_a_nameless_organisation_is_told_it_has_no_name(project: Project, engine: str) -> None:
    store, _ = load_files(project, [EXAMPLES / "Organisation-no-name.ttl"])
    report = validate_store(store, project.shapes_files, engine=engine)
    [result] = [r for r in report.results if r.severity == "Violation"]
    assert result.focus.endswith("/test-nameless")
    assert result.message("en") == "The organisation has no name (skos:prefLabel or skos:altLabel)."
    assert result.message("fr") == "L'organisation n'a aucun nom (skos:prefLabel ou skos:altLabel)."


# ---- (e) the graph and file of each result


def test_each_result_names_the_graph_and_file_of_its_statements() -> None:
    data, links = graph_iri("data", "sheet"), graph_iri("links", "wikidata")
    files = {data: "data/graph/sheet.ttl", links: "data/links/wikidata.ttl"}
    store = EmbeddedStore()
    store.load_bytes(
        PREFIXES + b'agorg:x a ag:Association ; skos:prefLabel "X" .', "ttl", graph=data
    )
    store.load_bytes(
        PREFIXES + b'agorg:x ag:siren "12" ; ag:partnerOf agorg:y .', "ttl", graph=links
    )
    org, ag = (
        "https://w3id.org/actorgraph/id/organisation/",
        "https://w3id.org/actorgraph/ontology#",
    )
    about_value = Result("Violation", org + "x", "c", "s", path=ag + "siren", value="12")
    missing = Result("Warning", org + "x", "c", "s", path=ag + "rna")
    inverse = Result("Info", org + "y", "c", "s", path="^" + ag + "partnerOf", value=org + "x")
    graph_itself = Result("Violation", links, "query:graph-source-violation", "q")
    elsewhere = Result("Violation", org + "nowhere", "c", "s")
    blank = Result("Violation", "_:b0", "c", "s")
    results = [about_value, missing, inverse, graph_itself, elsewhere, blank]
    add_graphs(store, results, files)
    assert [(r.graph, r.file) for r in results] == [
        (links, "data/links/wikidata.ttl"),  # the statement's graph
        (data, "data/graph/sheet.ttl"),  # the graph typing the focus node
        (links, "data/links/wikidata.ttl"),  # <x> ag:partnerOf <y>
        (links, "data/links/wikidata.ttl"),  # a graph is its own source
        (None, None),
        (None, None),
    ]


def test_the_report_shows_the_file(project: Project, tmp_path: Path) -> None:
    runner = CliRunner()
    example = EXAMPLES / "Organisation-no-name.ttl"
    text = runner.invoke(main, ["-C", str(project.root), "validate", str(example)]).output
    shown = "(tests/shapes/invalid/Organisation-no-name.ttl)"
    lines = [line for line in text.splitlines() if line.startswith("  [")]
    assert lines and all(line.endswith(shown) for line in lines), text
    as_json = runner.invoke(
        main, ["-C", str(project.root), "validate", "--format", "json", str(example)]
    ).output
    files = {r["file"] for r in json.loads(as_json)["results"]}
    assert files == {"tests/shapes/invalid/Organisation-no-name.ttl"}

    data = tmp_path / "data"
    data.mkdir()
    (data / "one.ttl").write_bytes(
        b"@prefix ag: <https://w3id.org/actorgraph/ontology#> .\n"
        b"<https://w3id.org/actorgraph/id/resource/untitled> a ag:Resource .\n"
    )
    out = tmp_path / "dist"
    runner.invoke(
        main, ["-C", str(project.root), "build", "-q", "--data", str(data), "--out", str(out)]
    )
    report = (out / "report.txt").read_text(encoding="utf-8")
    assert f"({data / 'one.ttl'})" in report
