"""``actorgraph reconcile``: tables as French spreadsheets export them in,
UTF-8 out, bad rows named, exit codes, nothing half-written."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from actorgraph.cli import main
from actorgraph.errors import UsageError
from actorgraph.project import Project
from actorgraph.reconcile import Reconciler
from actorgraph.reconcile.table import read_table, reconcile_table, sniff
from actorgraph.reconcile.vocab import extend_property

ORG = "https://w3id.org/actorgraph/id/organisation/"
ROWS = [
    ("Nom", "Département", "Site"),
    ("Mairie de Paris", "75", ""),
    ("Saint-Martin", "32", ""),
    ("Ville de Sète", "34", ""),
    ("Région Aquitaine", "", ""),
    ("La 27e Région", "", "https://www.la27eregion.fr/"),
    ("", "", ""),
]


def table_text(delimiter: str, rows: list[tuple[str, ...]] = ROWS) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def run(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, ["-C", str(project.root), "reconcile", *args])


def output(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    text = data.decode("utf-8")  # UTF-8, whatever came in
    assert not data.startswith(codecs.BOM_UTF8)
    delimiter = sniff(text)
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


# ------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8"), (";", "cp1252"), (",", "utf-16")],
)
def test_separators_and_encodings(delimiter: str, encoding: str) -> None:
    data = table_text(delimiter).encode(encoding)
    table = read_table(data, "partenaires.csv")
    assert table.delimiter == delimiter
    assert table.header == ["Nom", "Département", "Site"]  # no BOM glued to the first name
    assert [r[0] for _, r in table.rows][:3] == ["Mairie de Paris", "Saint-Martin", "Ville de Sète"]
    assert [line for line, _ in table.rows][:2] == [2, 3]
    assert table.encoding == ("utf-16" if encoding == "utf-16" else encoding)


def test_a_tsv_with_commas_in_names_is_read_by_its_tabs() -> None:
    rows = [("Nom", "Note"), ("Lille, Roubaix, Tourcoing", "a, b"), ("Ville de Paris", "c, d")]
    table = read_table(table_text("\t", rows).encode(), "x.tsv")
    assert table.delimiter == "\t" and table.rows[0][1][0] == "Lille, Roubaix, Tourcoing"


def test_broken_rows_are_named_and_the_others_read() -> None:
    text = (
        "Nom;Dep\r\n"
        "Mairie de Paris;75\r\n"
        "Ville de Lyon;69;extra\r\n"  # a field too many
        '"Ville de Nantes;44\r\n'  # a quote never closed
        "Ville de Rennes;35\r\n"
        'Ville "de" Brest;29\r\n'  # a quote inside a field
    )
    table = read_table(text.encode(), "t.csv")
    assert [line for line, _ in table.broken] == [3, 4]
    assert "fields" in table.broken[0][1] and "quote opened on this line" in table.broken[1][1]
    names = [row[0] for _, row in table.rows]
    assert names == ["Mairie de Paris", "Ville de Rennes", 'Ville "de" Brest']


def test_an_empty_file_is_bad_input() -> None:
    with pytest.raises(UsageError):
        read_table(b"   \r\n", "empty.csv")


def test_rows_reconciled_with_properties_and_extension(reconciler: Reconciler) -> None:
    table = read_table(table_text(";").encode("cp1252"), "p.csv")
    outcome = reconcile_table(
        table,
        reconciler,
        "Nom",
        properties={"Département": "departement", "Site": "website"},
        extend_with=[extend_property("siren"), extend_property("region")],
    )
    header = outcome.header
    assert header[-6:] == [
        "actorgraph_id",
        "actorgraph_name",
        "actorgraph_score",
        "actorgraph_match",
        "actorgraph_siren",
        "actorgraph_region",
    ]
    rows = [dict(zip(header, r, strict=True)) for r in outcome.rows]
    assert rows[0]["actorgraph_id"] == ORG + "ville-de-paris"
    assert rows[0]["actorgraph_siren"] == "217500016"
    assert rows[1]["actorgraph_id"] == ORG + "commune-32389"  # Saint-Martin, Gers: by its 32
    assert rows[1]["actorgraph_match"] == "true"
    assert rows[3]["actorgraph_id"] == ORG + "region-75"
    assert rows[4]["actorgraph_id"] == ORG + "la-27e-region"
    assert (outcome.matched, outcome.unmatched) == (5, 0)


def test_without_the_departement_the_namesake_is_not_matched(reconciler: Reconciler) -> None:
    table = read_table(table_text(",").encode(), "p.csv")
    outcome = reconcile_table(table, reconciler, "Nom", extend_with=[extend_property("siren")])
    saint_martin = outcome.rows[1]
    assert saint_martin[-2] == "false" and saint_martin[-1] == ""  # no extension unmatched


# ------------------------------------------------------------------ the verb


def test_the_verb_writes_utf8_with_the_added_columns(project: Project, tmp_path: Path) -> None:
    source = tmp_path / "partenaires.csv"
    source.write_bytes(table_text(";").encode("cp1252"))
    out = tmp_path / "out.csv"
    result = run(
        project,
        str(source),
        "--column",
        "Nom",
        "--property",
        "Département=departement",
        "--extend",
        "siren",
        "-e",
        "partners",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    rows = output(out)
    assert rows[2]["Nom"] == "Ville de Sète"  # read from Windows-1252, written in UTF-8
    assert rows[2]["actorgraph_id"] == ORG + "commune-34301"
    assert rows[0]["actorgraph_partners"] == "1"
    assert "5 matched" in result.stderr


def test_the_verb_names_rows_it_cannot_read(project: Project, tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text("Nom,Dep\nMairie de Paris,75\nVille de Lyon,69,x\nCD 33,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run(project, str(source), "-c", "Nom", "-o", str(out))
    assert result.exit_code == 0
    assert f"{source}:3: row left out" in result.stderr
    assert [r["Nom"] for r in output(out)] == ["Mairie de Paris", "CD 33"]
    strict = run(project, str(source), "-c", "Nom", "-o", str(tmp_path / "strict.csv"), "--strict")
    assert strict.exit_code == 2 and not (tmp_path / "strict.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "Name"], "no column named 'Name'"),
        (["--column", "Nom", "--property", "Département=mayor"], "unknown property"),
        (["--column", "Nom", "--property", "Région=departement"], "no column named"),
        (["--column", "Nom", "--property", "departement"], "COLUMN=PROPERTY"),
        (["--column", "Nom", "--extend", "population"], "unknown property"),
        (["--column", "Nom", "--type", "ville"], "unknown type"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(
    project: Project, tmp_path: Path, args: list[str], message: str
) -> None:
    source = tmp_path / "p.csv"
    source.write_text(table_text(","), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("kept\n", encoding="utf-8")
    result = run(project, str(source), *args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "kept\n"  # untouched
    assert not [p for p in tmp_path.iterdir() if p.name not in ("p.csv", "out.csv")]


def test_a_missing_file_exits_2(project: Project, tmp_path: Path) -> None:
    result = run(project, str(tmp_path / "nope.csv"), "-c", "Nom")
    assert result.exit_code == 2 and "nope.csv" in result.stderr


def test_stdin_to_stdout(project: Project) -> None:
    result = CliRunner().invoke(
        main,
        ["-C", str(project.root), "reconcile", "-", "-c", "Nom", "-t", "commune"],
        input="Nom\nMairie de Bordeaux\n",
    )
    assert result.exit_code == 0, result.stderr
    assert ORG + "commune-33063" in result.stdout
