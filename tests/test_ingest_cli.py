"""Ingest from the command line as a newcomer meets it: a folder of sheets,
``-q`` giving one line per sheet as each is done, and a contact URL that
cannot be an IRI reported rather than raised."""

from __future__ import annotations

from pathlib import Path

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
