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
from actorgraph.load import load_files
from actorgraph.project import Project, graph_iri
from actorgraph.store import EmbeddedStore
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


# ---- (d) an organisation without a name


@pytest.mark.parametrize("engine", ENGINES)
def test_a_nameless_organisation_is_told_it_has_no_name(project: Project, engine: str) -> None:
    store, _ = load_files(project, [EXAMPLES / "Organisation-no-name.ttl"])
    report = validate_store(store, project.shapes_files, engine=engine)
    [result] = [r for r in report.results if r.severity == "Violation"]
    assert result.focus.endswith("/test-nameless")
    assert result.message("en") == "The organisation has no name (skos:prefLabel or skos:altLabel)."
    assert result.message("fr") == "L'organisation n'a aucun nom (skos:prefLabel ou skos:altLabel)."


