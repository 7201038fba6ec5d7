"""Validation leaves the store as it found it, and build's outputs agree on
which named graphs they hold."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from actorgraph.build import build
from actorgraph.project import Project, group_of
from actorgraph.store import EmbeddedStore
from actorgraph.store.load import load_project
from actorgraph.validation import ENGINES, validate_store


@pytest.mark.parametrize("engine", ENGINES)
def test_validation_with_skipped_graphs_does_not_change_the_store(
    project: Project, engine: str
) -> None:
    """Regression: the fast engine once set the gazetteer aside and bulk-loaded it
    back, after which the store no longer listed its named graph."""
    store, _ = load_project(project)
    graphs, size = store.graphs(), len(store)
    assert any(group_of(g) == "reference" for g in graphs), (
        "the gazetteer is expected in data/reference"
    )
    validate_store(store, project.shapes_files, project.queries_dir, engine=engine)
    assert store.graphs() == graphs
    assert len(store) == size


def test_dist_leaves_the_gazetteer_out_of_every_format(project: Project, tmp_path: Path) -> None:
    result = build(project, tmp_path)
    gazetteer = "https://w3id.org/actorgraph/graph/reference/"
    for name in ("actorgraph.nq", "actorgraph.trig"):
        assert gazetteer not in (tmp_path / name).read_text(encoding="utf-8"), name
    # Links point at gazetteer bodies, but the bodies themselves are not described.
    assert "\nagorg:commune-75056\n" not in (tmp_path / "actorgraph.ttl").read_text(
        encoding="utf-8"
    )
    blocks = json.loads((tmp_path / "organisations.schema.jsonld").read_text(encoding="utf-8"))
    assert len(blocks) == 15  # La 27e Région, Fing and the 13 partners
    data_triples = sum(n for g, group, n in result.stats.graphs if group != "reference")
    nt_lines = (tmp_path / "actorgraph.nt").read_bytes().count(b"\n")
    assert 0 < nt_lines <= data_triples


def test_a_broken_shapes_file_is_named_with_its_line(tmp_path: Path) -> None:
    from actorgraph.errors import LoadError
    from actorgraph.validation import load_shapes

    bad = tmp_path / "broken.shapes.ttl"
    bad.write_text('@prefix sh: <http://www.w3.org/ns/shacl#> .\nsh:a sh:b "x\n', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_shapes([bad])
    assert info.value.file == str(bad)
    assert info.value.line == 2


# ---- EmbeddedStore.restricted: the graphs left out, in place or by a copy ------

REFERENCE = "https://w3id.org/actorgraph/graph/reference/stand-in"
LABEL = b"<http://www.w3.org/2000/01/rdf-schema#label>"


def _sorted_quads(store: EmbeddedStore) -> list[bytes]:
    return sorted((store.ox.dump(format=ox.RdfFormat.N_QUADS) or b"").splitlines())


def _with_small_reference(project: Project, data: bytes) -> EmbeddedStore:
    """The project without its gazetteer, and a small graph standing for it."""
    store, _ = load_project(project, groups=("ontology", "vocabulary", "data", "links"))
    store.load_bytes(data, "nt", graph=REFERENCE)
    return store


def test_a_small_graph_is_set_aside_and_put_back(project: Project) -> None:
    store = _with_small_reference(project, b"<http://e/c1> " + LABEL + b' "Ville" .')
    graphs, quads = store.graphs(), _sorted_quads(store)
    kept = [g for g in graphs if g != REFERENCE]
    with store.restricted(kept) as part:
        assert part is store  # in place: the stand-in is much smaller than the rest
        assert part.graphs() == kept and len(part) == len(quads) - 1
    assert store.graphs() == graphs and _sorted_quads(store) == quads
    with pytest.raises(RuntimeError), store.restricted(kept):
        raise RuntimeError("a failure inside the block")
    assert store.graphs() == graphs and _sorted_quads(store) == quads


def test_a_large_graph_or_one_with_blank_nodes_is_not_set_aside(project: Project) -> None:
    store = _with_small_reference(project, b"_:b " + LABEL + b' "Ville" .')
    kept = [g for g in store.graphs() if g != REFERENCE]
    with store.restricted(kept) as part:
        assert part is not store and part.graphs() == kept
    with store.restricted([REFERENCE]) as part:  # everything else is larger: copied
        assert part is not store and part.graphs() == [REFERENCE] and len(part) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_validation_with_a_graph_set_aside_gives_the_same_results(
    project: Project, engine: str
) -> None:
    """The fast engine, validating in place with the stand-in set aside, finds what
    it finds on a store without it, and what pySHACL finds."""
    store = _with_small_reference(
        project, b"<https://w3id.org/actorgraph/id/organisation/x> " + LABEL + b' "X" .'
    )
    quads = _sorted_quads(store)
    report = validate_store(store, project.shapes_files, project.queries_dir, engine=engine)
    assert _sorted_quads(store) == quads
    alone, _ = load_project(project, groups=("ontology", "vocabulary", "data", "links"))
    expected = validate_store(alone, project.shapes_files, project.queries_dir, engine="pyshacl")

    def shacl(results: list) -> set:  # the violation queries run over every graph
        return {r.key() for r in results if not r.component.startswith("query:")}

    assert shacl(report.results) == shacl(expected.results)
    assert shacl(report.results), "the seed data gives warnings and infos to compare"


def test_with_triples_in_the_default_graph_the_kept_graphs_are_copied(project: Project) -> None:
    """A copy holds only the kept named graphs; setting the others aside would
    leave the default graph's triples in view, so it is not done then."""
    store = _with_small_reference(project, b"<http://e/c1> " + LABEL + b' "Ville" .')
    store.load_bytes(b"<http://e/d> " + LABEL + b' "default" .', "nt")
    kept = [g for g in store.graphs() if g != REFERENCE]
    with store.restricted(kept) as part:
        assert part is not store and part.graphs() == kept


def test_dist_stats_count_the_graphs_dist_holds(project: Project, tmp_path: Path) -> None:
    build(project, tmp_path)
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert stats["left_out"] == ["reference"]
    assert {g["group"] for g in stats["graphs"]} <= {
        "ontology",
        "vocabulary",
        "data",
        "links",
        "analytics",
    }
    assert stats["triples"] == sum(g["triples"] for g in stats["graphs"])
    nq_lines = (tmp_path / "actorgraph.nq").read_bytes().count(b"\n")
    assert stats["triples"] == nq_lines
    # The gazetteer's 34,969 communes are not counted; the data types a few.
    classes = {c["class"].rsplit("#", 1)[-1]: c["instances"] for c in stats["classes"]}
    assert classes.get("Commune", 0) < 100
