"""``actorgraph build`` and ``validate`` from the command line: outputs, exit
codes, and bad input (named, exit 2, no traceback, nothing written)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from actorgraph.cli import VERBS, main
from actorgraph.project import Project

BAD_TURTLE = b'@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n'


def run(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, ["-C", str(project.root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("dist")
    return run(project, "build", "--out", str(out)), out


def test_build_writes_dist_and_prints_a_summary(built: tuple[Result, Path]) -> None:
    result, out = built
    assert result.exit_code == 0, result.output
    for name in (
        "actorgraph.ttl",
        "actorgraph.nt",
        "actorgraph.trig",
        "actorgraph.nq",
        "report.txt",
        "report.json",
    ):
        assert (out / name).stat().st_size > 0, name
    assert "Triples per named graph" in result.output
    assert "Instances per class" in result.output
    assert "ag:Resource" in result.output and "46" in result.output
    assert "0 violation(s)" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["conforms"] is True
    assert report["counts"]["Violation"] == 0


def test_build_outputs_hold_every_graph(built: tuple[Result, Path]) -> None:
    _, out = built
    trig = (out / "actorgraph.trig").read_text(encoding="utf-8")
    for graph in (
        "graph/la-27e-region",
        "graph/external-ids",
        "graph/ontology",
        "graph/vocabulary/themes",
    ):
        assert f"https://w3id.org/actorgraph/{graph}" in trig or graph.rsplit("/", 1)[-1] in trig


def test_validate_conforms_in_each_format(project: Project) -> None:
    text = run(project, "validate", "--lang", "fr")
    assert text.exit_code == 0
    assert text.output.startswith("Validation: conforme")
    as_json = run(project, "validate", "--format", "json", "--severity", "Violation")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)["results"] == []
    turtle = run(project, "validate", "--format", "turtle")
    assert turtle.exit_code == 0
    assert "sh:conforms true" in turtle.output


def test_validate_an_invalid_file_exits_1_and_says_where(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad-org.ttl"
    bad.write_text(
        """@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
agorg:nowhere a ag:Commune ; skos:prefLabel "Nulle-Part"@fr ; ag:siren "123456789" .
""",
        encoding="utf-8",
    )
    result = run(project, "validate", str(bad))
    assert result.exit_code == 1, result.output
    assert "agorg:nowhere" in result.output
    assert "«Nulle-Part»" in result.output
    assert "ag:siren" in result.output and "123456789" in result.output
    assert "does NOT conform" in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        (b"", "file is empty"),
        (b"  \n\n", "file is empty"),
        (b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n', ":2: not UTF-8"),
        (BAD_TURTLE, ":3:"),
    ],
    ids=["missing", "empty", "blank", "latin-1", "syntax"],
)
def test_bad_input_is_named_and_exits_2(
    project: Project, tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "source.ttl"
    if content is not None:
        path.write_bytes(content)
    result = run(project, "validate", str(path))
    assert result.exit_code == 2
    assert str(path) in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_build_with_a_broken_source_writes_nothing(project: Project, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(project.data_dir, data)
    (data / "broken.ttl").write_bytes(BAD_TURTLE)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "actorgraph.ttl").write_text("previous build\n", encoding="utf-8")
    result = run(project, "build", "--data", str(data), "--out", str(out))
    assert result.exit_code == 2
    assert f"{data / 'broken.ttl'}:3:" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["actorgraph.ttl"]
    assert (out / "actorgraph.ttl").read_text(encoding="utf-8") == "previous build\n"


def test_build_with_violations_exits_1(project: Project, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.ttl").write_text(
        """@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agres: <https://w3id.org/actorgraph/id/resource/> .
agres:untitled a ag:Resource .
""",
        encoding="utf-8",
    )
    result = run(project, "build", "--data", str(data), "--out", str(tmp_path / "dist"), "-q")
    assert result.exit_code == 1
    assert "does NOT conform" in result.output
    assert "agres:untitled" in (tmp_path / "dist" / "report.txt").read_text(encoding="utf-8")


def test_unknown_data_folder_and_usage_errors_exit_2(project: Project, tmp_path: Path) -> None:
    result = run(project, "build", "--data", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "data folder not found" in result.output
    assert run(project, "validate", "--format", "yaml").exit_code == 2
    assert run(project, "no-such-verb").exit_code == 2


def test_outside_a_project_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "stats"])
    assert result.exit_code == 2
    assert "no actorgraph project here" in result.output


@pytest.mark.parametrize("verb", list(VERBS))
def test_every_verb_has_help_with_an_example(project: Project, verb: str) -> None:
    result = run(project, verb, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.parametrize("verb", list(VERBS))
def test_the_verb_list_says_what_each_verb_says_of_itself(verb: str) -> None:
    # ``actorgraph --help`` lists VERBS without importing the verb modules.
    command = main.get_command(click.Context(main), verb)
    assert command is not None and command.help
    own = " ".join(command.help.split())
    assert own.startswith(VERBS[verb].removesuffix(".")), (verb, own[:120])


def test_help_imports_no_verb_module() -> None:
    code = (
        "import sys; from actorgraph.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('actorgraph', 'rdflib', 'pyoxigraph')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1]
    assert "'actorgraph.cli'" in loaded
    for heavy in (
        "actorgraph.cli.build",
        "actorgraph.store",
        "actorgraph.query",
        "rdflib",
        "pyoxigraph",
    ):
        assert f"'{heavy}'" not in loaded


def test_the_engine_option_offers_the_registered_engines() -> None:
    from actorgraph.cli.common import ENGINE_NAMES
    from actorgraph.validation import ENGINES

    assert tuple(ENGINE_NAMES) == tuple(ENGINES)
