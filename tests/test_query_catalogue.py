"""The question catalogue on the project's graph: headers, the manifest of
expected answers, the violation checks and the figures of ``stats``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from actorgraph.catalogue import PARAM_TYPES, Query, catalogue
from actorgraph.project import Project
from actorgraph.query import bind
from actorgraph.store import EmbeddedStore
from actorgraph.store.sparql import Answer, query_form, run_local, uses_service
from actorgraph.validation import run_violation_queries

HERE = Path(__file__).resolve().parent / "queries"
MANIFEST = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]

#: Names scripts rely on (issue 3): they must stay.
CONTRACT = {
    "organisation-card",
    "partners-of",
    "projects-of",
    "project-partners",
    "co-partners",
    "resources-of",
    "resources-by-kind",
    "resources-by-theme",
    "search",
    "in-territory",
    "quality-report",
    "provenance-of",
    "stats",
}


def case_id(case: dict[str, Any]) -> str:
    params = ",".join(f"{k}={v}" for k, v in case["params"].items())
    return f"{case['query']}({params})"


def expected_rows(name: str) -> set[tuple[tuple[str, str], ...]]:
    parsed = ox.parse_query_results(
        (HERE / "expected" / name).read_bytes(), format=ox.QueryResultsFormat.JSON
    )
    names = [v.value for v in parsed.variables]
    return {tuple(sorted((n, str(s[n])) for n in names if s[n] is not None)) for s in parsed}


def run_case(project: Project, store: EmbeddedStore, case: dict[str, Any]) -> Answer:
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    return run_local(store, query.text, bind(query, case["params"]))


def test_the_contract_names_are_in_the_catalogue(project: Project) -> None:
    names = {q.name for q in catalogue(project.queries_dir)}
    assert names >= CONTRACT, CONTRACT - names
    assert len([n for n in names if n.endswith("-violation")]) >= 3


@pytest.mark.parametrize(
    "query",
    catalogue(Project(Path(__file__).resolve().parent.parent).queries_dir),
    ids=lambda q: q.name,
)
def test_every_query_has_a_bilingual_header_and_readable_params(query: Query) -> None:
    assert query.summary, f"{query.path}: no '#+ summary:'"
    assert query.header.get("summary_fr"), f"{query.path}: no '#+ summary_fr:'"
    for param in query.params:
        assert param.type in PARAM_TYPES
        assert param.example is not None or param.default is not None, (
            f"{query.path}: ?{param.name} has neither an example nor a default"
        )
    assert query_form(query.text) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def test_every_local_catalogue_query_has_a_case(project: Project) -> None:
    covered = {c["query"] for c in CASES}
    # federated queries (SERVICE) are tested against their own fixture server
    local = {q.name for q in catalogue(project.queries_dir) if not uses_service(q.text)}
    missing = local - covered
    assert not missing, f"no case in tests/queries/manifest.json for {sorted(missing)}"


@pytest.mark.parametrize("case", [c for c in CASES if c["expected"]], ids=case_id)
def test_catalogue_query_gives_the_expected_rows(
    project: Project, store: EmbeddedStore, case: dict[str, Any]
) -> None:
    answer = run_case(project, store, case)
    assert answer.row_keys() == expected_rows(case["expected"])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_declared_example_values_run(
    project: Project, store: EmbeddedStore, case: dict[str, Any]
) -> None:
    """Every query also runs with the example values its header advertises."""
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    examples = {p.name: p.example for p in query.params if p.example is not None}
    run_local(store, query.text, bind(query, examples))


def test_stats_counts_every_named_graph(project: Project, store: EmbeddedStore) -> None:
    answer = run_case(project, store, {"query": "stats", "params": {}})
    per_graph = {
        row["item"].value: int(row["count"].value)
        for row in answer.rows
        if row["what"].value == "triples in graph"
    }
    assert per_graph == {g: store.count(g) for g in store.graphs()}
    classes = {
        row["item"].value for row in answer.rows if row["what"].value == "instances of class"
    }
    assert "https://w3id.org/actorgraph/ontology#Partnership" in classes


def test_violation_checks_pass_on_the_seed(project: Project, store: EmbeddedStore) -> None:
    results = run_violation_queries(store, catalogue(project.queries_dir))
    assert results == []


BAD_DATA = b"""
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/actorgraph/id/partnership/x--x> a ag:Partnership ;
    ag:partner <https://w3id.org/actorgraph/id/organisation/x> ;
    ag:partnerOf <https://w3id.org/actorgraph/id/organisation/x> .
<https://w3id.org/actorgraph/id/partnership/y> a ag:Partnership .
<https://w3id.org/actorgraph/id/resource/Bad_Slug> a ag:Resource ;
    dcterms:title "Cut..."@fr ; ag:titleTruncated false .
<https://w3id.org/actorgraph/id/resource/whole> a ag:Resource ;
    dcterms:title "Whole"@fr ; ag:titleTruncated true .
"""


def test_violation_checks_catch_bad_data(project: Project) -> None:
    bad = EmbeddedStore()
    bad.load_bytes(BAD_DATA, "ttl", graph="https://w3id.org/actorgraph/graph/bad")
    results = run_violation_queries(bad, catalogue(project.queries_dir))
    found = {(r.component.removeprefix("query:"), r.focus.rsplit("/", 1)[-1]) for r in results}
    assert found >= {
        ("partnership-shape-violation", "x--x"),
        ("partnership-shape-violation", "y"),
        ("truncated-title-violation", "Bad_Slug"),
        ("truncated-title-violation", "whole"),
        ("instance-iri-violation", "Bad_Slug"),
        ("graph-source-violation", "bad"),
    }
