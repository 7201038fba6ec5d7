"""Regressions of issue #16 in ingest: names that differ in a number were merged
(16.2), so a batch ingested in two runs gave another graph than in one run."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from actorgraph.ingest import Context, context_from_store, ingest
from actorgraph.project import Project
from actorgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
RETRIEVED = dt.date(2026, 11, 27)
PROJECT = "https://w3id.org/actorgraph/id/project/"
LEADER = URIRef("https://w3id.org/actorgraph/ontology#leader")


@pytest.fixture(scope="module")
def context(store: EmbeddedStore) -> Context:
    return context_from_store(store)


def gen_sheets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_sheets", ROOT / "bench" / "gen_sheets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def graphs(folder: Path) -> dict[str, Graph]:
    return {p.name: Graph().parse(p, format="turtle") for p in sorted(folder.glob("*.ttl"))}


def sheet(folder: Path, actor: str, project: str, partner: str) -> Path:
    path = folder / f"{actor.lower().replace(' ', '-')}.txt"
    path.write_text(
        f"{actor}\n\nMis à jour le 3 mars 2024\n\n"
        f"- **{project}** : depuis 2019, un projet mené en partenariat avec {partner}.\n",
        encoding="utf-8",
    )
    return path


def test_projects_whose_names_differ_in_a_number_stay_apart(
    context: Context, tmp_path: Path
) -> None:
    """A sheet's "Projet Tramway 120" was taken for the "Projet Tramway 12"
    already in the graph: one project with two leaders and both partner sets."""
    src, data = tmp_path / "src", tmp_path / "data"
    src.mkdir()
    first = sheet(src, "Atelier Alpha", "Projet Tramway 12", "la MEL")
    second = sheet(src, "Atelier Beta", "Projet Tramway 120", "la Région Bretagne")
    ingest(Project(ROOT), [first], data_dir=data, retrieved=RETRIEVED, context=context)
    # The second run sees the first one's file (no context given: loaded with data_dir).
    run = ingest(Project(ROOT), [second], data_dir=data, retrieved=RETRIEVED)
    assert run.report is not None and run.report.conforms
    beta = graphs(data)["atelier-beta.ttl"]
    leaders = {str(s) for s in beta.subjects(LEADER, None)}
    assert leaders == {PROJECT + "projet-tramway-120"}
    assert not any(str(t) == PROJECT + "projet-tramway-12" for triple in beta for t in triple)
    alpha = graphs(data)["atelier-alpha.ttl"]
    assert {str(s) for s in alpha.subjects(LEADER, None)} == {PROJECT + "projet-tramway-12"}


def test_a_batch_in_two_runs_gives_the_graph_of_one_run(context: Context, tmp_path: Path) -> None:
    """1,000 generated sheets ingested as 500 + 500 gave 590 violations: actors
    and projects of the second half were taken for those of the first whose
    names differed in a digit. With ``create_unknown``, so that the partners
    created by the first run are known to the second."""
    paths = gen_sheets().write_sheets(tmp_path / "src", 40)
    project = Project(ROOT)
    one, two = tmp_path / "one", tmp_path / "two"
    options = {"retrieved": RETRIEVED, "create_unknown": True}
    ingest(project, paths, data_dir=one, context=context, validate=False, **options)
    ingest(project, paths[:20], data_dir=two, context=context, validate=False, **options)
    run = ingest(project, paths[20:], data_dir=two, **options)  # sees the first half
    assert run.report is not None and run.report.conforms
    once, twice = graphs(one), graphs(two)
    assert len(once) == 40 and sorted(once) == sorted(twice)
    for name, graph in once.items():
        if not isomorphic(graph, twice[name]):
            _, only_once, only_twice = graph_diff(to_isomorphic(graph), to_isomorphic(twice[name]))
            pytest.fail(
                f"{name}: in one run only {sorted(only_once)[:3]}, "
                f"in two runs only {sorted(only_twice)[:3]}"
            )
