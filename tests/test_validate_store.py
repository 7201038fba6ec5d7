"""Validation leaves the store as it found it, and build's outputs agree on
which named graphs they hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actorgraph.build import build
from actorgraph.load import load_project
from actorgraph.project import Project, group_of
from actorgraph.validate import ENGINES, validate_store


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
    from actorgraph.validate import load_shapes

    bad = tmp_path / "broken.shapes.ttl"
    bad.write_text('@prefix sh: <http://www.w3.org/ns/shacl#> .\nsh:a sh:b "x\n', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_shapes([bad])
    assert info.value.file == str(bad)
    assert info.value.line == 2
