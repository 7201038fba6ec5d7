"""Ingest from the command line as a newcomer meets it: a folder of sheets,
``-q`` giving one line per sheet as each is done, and a contact URL that
cannot be an IRI reported rather than raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from actorgraph.cli import main

SHEETS = Path(__file__).parent / "sheets"
ROOT = Path(__file__).resolve().parent.parent
GOOD = ["atelier-des-communs-publics.txt", "bibliotheque-des-transitions.txt"]


def _quoted_url_sheet(folder: Path) -> Path:
    text = (SHEETS / "reseau-sobriete-territoriale.txt").read_text(encoding="utf-8")
    text = text.replace(
        "<https://reseau-sobriete.example.org/>",
        '<https://reseau-sobriete.example.org/"a>\n\nhttps://reseau-sobriete.example.org/ok',
    )
    path = folder / "quoted-url.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_contact_url_that_is_no_iri_is_reported_not_raised(tmp_path: Path) -> None:
    sheet = _quoted_url_sheet(tmp_path)
    line = (
        sheet.read_text(encoding="utf-8")
        .splitlines()
        .index('<https://reseau-sobriete.example.org/"a>')
        + 1
    )
    for extra in (["--dry-run"], []):
        out = tmp_path / ("dry" if extra else "real")
        result = CliRunner().invoke(
            main, ["-C", str(ROOT), "ingest", *extra, str(sheet), "--data-dir", str(out)]
        )
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert str(sheet) in result.output
        assert f"line {line}: note: contact URL" in result.output
    written = (tmp_path / "real").glob("*.ttl")
    data = next(written).read_text(encoding="utf-8")
    assert "<https://reseau-sobriete.example.org/ok>" in data
    assert 'example.org/"a' not in data


def test_ingest_takes_a_folder_of_sheets_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name in GOOD:
        (folder / name).write_bytes((SHEETS / name).read_bytes())
    (folder / "notes.md").write_text("not a sheet\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["-C", str(ROOT), "ingest", "-q", "--dry-run", str(folder), "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert f"{folder}: 2 sheet(s)" in result.output
    for name in GOOD:
        assert str(folder / name) in result.output
    assert "notes.md" not in result.output.replace(f"{folder}: 2", "")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["-C", str(ROOT), "ingest", str(empty)])
    assert result.exit_code == 2
    assert "without *.txt sheets" in result.output


def test_quiet_ingest_prints_one_line_per_sheet_as_each_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import actorgraph.ingest as ingesting

    paths = [SHEETS / name for name in GOOD]
    before_validation: list[str] = []
    real = ingesting.validation_store

    with CliRunner().isolation() as (out, _err, _):

        def validating(*args: Any, **kwargs: Any) -> Any:
            # What was printed when validation starts: every sheet's line already.
            before_validation.append(out.getvalue().decode())
            return real(*args, **kwargs)

        monkeypatch.setattr(ingesting, "validation_store", validating)
        with pytest.raises(SystemExit) as exit_:
            main.main(
                ["-C", str(ROOT), "ingest", "-q", *map(str, paths), "--data-dir", str(tmp_path)]
            )
        text = out.getvalue().decode()
    assert exit_.value.code == 0, text
    lines = text.splitlines()
    per_sheet = [line for line in lines if " → " in line]
    assert len(per_sheet) == len(paths)
    for path, line in zip(paths, per_sheet, strict=True):
        assert line.startswith(f"{path} → ")
    # No facts, no per-sheet detail: the sheets' lines, the verdict, the count.
    assert not any(line.startswith("  ") for line in lines)
    assert lines[-1] == "wrote 2 file(s)"
    assert before_validation and before_validation[0].count(" → ") == len(paths)
