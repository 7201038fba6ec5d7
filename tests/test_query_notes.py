"""A mistyped entity slug is pointed out, with the closest known slugs."""

from __future__ import annotations

from click.testing import CliRunner

from actorgraph.cli import main
from actorgraph.project import Project


def test_unknown_slug_gets_a_note_with_suggestions(project: Project) -> None:
    result = CliRunner().invoke(
        main,
        ["-C", str(project.root), "query", "partners-of", "-p", "org=la-27e-regio", "-f", "csv"],
    )
    assert result.exit_code == 0
    assert (
        "note: no organisation agorg:la-27e-regio in the graph; did you mean la-27e-region?"
        in result.stderr
    )
    assert result.stdout.strip().count("\n") == 0  # the CSV header only


def test_known_slug_gets_no_note(project: Project) -> None:
    result = CliRunner().invoke(
        main,
        ["-C", str(project.root), "query", "partners-of", "-p", "org=la-27e-region", "-f", "csv"],
    )
    assert result.exit_code == 0
    assert "note:" not in result.stderr
    assert result.stdout.count("\n") > 10
