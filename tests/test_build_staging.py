"""``build`` stages each dist/ file as soon as it is computed: a failure while
computing a later one leaves dist/ as it was, with no temporary file behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actorgraph import build as build_module
from actorgraph.errors import ActorGraphError
from actorgraph.project import Project


@pytest.fixture()
def small_project(project: Project, tmp_path: Path) -> Project:
    """The ontology, queries and seed data, without the gazetteer (fast)."""
    root = tmp_path / "project"
    shutil.copytree(project.root / "ontology", root / "ontology")
    shutil.copytree(project.queries_dir, root / "queries")
    (root / "data" / "graph").mkdir(parents=True)
    for path in project.data_dir.glob("*.ttl"):
        shutil.copyfile(path, root / "data" / "graph" / path.name)
    return Project(root)


def test_a_failure_after_some_outputs_leaves_dist_as_it_was(
    small_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "actorgraph.ttl").write_text("previous build\n", encoding="utf-8")

    def broken(*args: object) -> bytes:
        raise ActorGraphError("schema.org profile failed")

    monkeypatch.setattr(build_module, "schema_org", broken)
    with pytest.raises(ActorGraphError, match="profile failed"):
        build_module.build(small_project, out, engine="fast")
    assert sorted(p.name for p in out.iterdir()) == ["actorgraph.ttl"]
    assert (out / "actorgraph.ttl").read_text(encoding="utf-8") == "previous build\n"


def test_a_build_replaces_every_output(small_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "actorgraph.ttl").write_text("previous build\n", encoding="utf-8")
    result = build_module.build(small_project, out, engine="fast")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.written)
    assert (out / "actorgraph.ttl").read_text(encoding="utf-8").startswith("@prefix")
