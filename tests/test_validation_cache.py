"""The validation report kept with a generation of the project store: written
by ``build``, read by ``serve`` instead of validating again, dropped when
the checks change or the file is unreadable."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_project_store import ROOT, small_project

from actorgraph.cli import main
from actorgraph.project import Project
from actorgraph.serve import derived
from actorgraph.serve.site import Settings, Site
from actorgraph.store.persistent import ProjectStore, generation_of
from actorgraph.validation import cache

ORG = "https://w3id.org/actorgraph/id/organisation/"


def built(tmp_path: Path) -> tuple[Project, Any, str]:
    """A small project, built, with an organisation the checks report on."""
    root = small_project(tmp_path)
    (root / "queries").unlink()
    shutil.copytree(ROOT / "queries", root / "queries")  # a copy the test may edit
    (root / "data" / "graph" / "test.ttl").write_text(
        f"<{ORG}no-name> a <https://w3id.org/actorgraph/ontology#Association> .\n"
        f"<{ORG}twin-a> a <https://w3id.org/actorgraph/ontology#Association> ;\n"
        '    <http://www.w3.org/2004/02/skos/core#prefLabel> "Twin"@fr .\n'
        f"<{ORG}twin-b> a <https://w3id.org/actorgraph/ontology#Association> ;\n"
        '    <http://www.w3.org/2004/02/skos/core#prefLabel> "TWIN"@fr .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert result.exit_code == 1, result.output  # violations, reported
    project = Project(root)
    store = ProjectStore(project).open()
    folder = generation_of(store, project)
    assert folder is not None
    return project, store, folder.name


def test_build_keeps_its_report_and_serve_reads_it_without_validating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, store, generation = built(tmp_path)
    kept = cache.load(project, generation)
    assert kept is not None
    foci = {r.focus for r in kept}
    assert {ORG + "no-name", ORG + "twin-a", ORG + "twin-b"} <= foci

    def no_validation(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("validated again")

    monkeypatch.setattr("actorgraph.validation.validate_store", no_validation)
    by_entity = derived.validation_by_focus(Site(store=store, project=project, settings=Settings()))
    assert {r.focus for rs in by_entity.values() for r in rs} == foci
    assert [r.component for r in by_entity[ORG + "twin-a"]] == [
        r.component for r in sorted(kept, key=lambda r: r.focus) if r.focus == ORG + "twin-a"
    ]


def test_a_kept_report_is_dropped_when_a_check_changes_or_it_is_unreadable(
    tmp_path: Path,
) -> None:
    project, store, generation = built(tmp_path)
    assert cache.load(project, generation) is not None
    assert cache.load(project, generation, lang="fr") is None  # labels in another language
    assert cache.load(project, "g-another") is None
    check = project.queries_dir / "duplicate-organisation-violation.rq"
    original = check.read_bytes()
    check.write_bytes(original + b"# changed\n")
    assert cache.load(project, generation) is None
    check.write_bytes(original)
    assert cache.load(project, generation) is not None
    (kept,) = (project.root / cache.CACHE_DIR).glob("report-*.json")
    kept.write_text('{"results": [{"severity": "Violation"}]}', encoding="utf-8")
    assert cache.load(project, generation) is None
    # serve then validates, and keeps the new report
    site = Site(store=store, project=project, settings=Settings())
    assert ORG + "twin-a" in derived.validation_by_focus(site)
    assert cache.load(project, generation) is not None
