"""Progress of long steps: calls from the library, a bar only on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from actorgraph.build import build
from actorgraph.cli import main
from actorgraph.cli.common import progress_bar
from actorgraph.link import link_project
from actorgraph.progress import ignore
from actorgraph.project import Project

ROOT = Path(__file__).resolve().parent.parent


class Calls:
    """A progress callback that records what it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, int, int]] = []

    def __call__(self, what: str, done: int, total: int) -> None:
        assert 0 <= done <= total, (what, done, total)
        self.heard.append((what, done, total))

    def about(self, word: str) -> list[tuple[str, int, int]]:
        return [call for call in self.heard if word in call[0]]


def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not sys.stderr.isatty()
    with progress_bar("build") as progress:
        assert progress is ignore
        for n in range(3):
            progress("step", n, 3)
    assert capsys.readouterr() == ("", "")


def test_a_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import rich.progress

    made: list[rich.progress.Progress] = []
    real = rich.progress.Progress

    def spy(*args: object, **kwargs: object) -> rich.progress.Progress:
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(rich.progress, "Progress", spy)
    with progress_bar("build") as progress:
        progress("loading a.ttl", 1, 4)
        (task,) = made[0].tasks
        assert (task.completed, task.total) == (1, 4)
        assert task.description == "build: loading a.ttl"


def test_build_reports_each_file_each_validation_phase_and_each_output(
    project: Project, tmp_path: Path
) -> None:
    calls = Calls()
    result = build(project, tmp_path, progress=calls)
    loading = calls.about("loading ")
    assert len(loading) == len(result.loaded) == len(project.sources())
    assert [done for _, done, _ in loading] == list(range(len(loading)))
    assert len(calls.about("validating")) >= 3
    assert len(calls.about("writing ")) == len(result.written)


def test_link_reports_its_phases(project: Project, tmp_path: Path) -> None:
    from test_link import copy_project

    copy = copy_project(project, tmp_path / "p", data=("la-27e-region.ttl",))
    calls = Calls()
    link_project(copy, None, progress=calls)
    assert calls.about("gazetteer") and calls.about("writing")


def test_a_piped_build_prints_what_it_printed_before(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(ROOT), "build", "-q", "--out", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    assert result.output.startswith("Validation (fast):")
    assert "━" not in result.output
