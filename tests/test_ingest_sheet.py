"""The sheet parser: structure, line numbers, malformed sheets, and arbitrary text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actorgraph.errors import IngestError
from actorgraph.ingest.sheet import decode, parse_sheet, read_sheet

SHEETS = Path(__file__).parent / "sheets"


def test_seed_structure(seed_sheet: Path) -> None:
    sheet = read_sheet(seed_sheet)
    assert (sheet.title.value, sheet.title.line) == ("27ème Région", 3)
    assert sheet.updated is not None and sheet.updated.value == dt.date(2021, 2, 2)
    assert [h.value for h in sheet.headings] == ["QUOI, QUI ET COMMENT ?", "CONTACT"]
    assert [i.lead for i in sheet.items] == ["Transfo", "Enacting the Commons", "Réflexes publics"]
    assert sheet.items[0].article == "le"
    assert "programme expérimental et inter-collectivités" in sheet.items[0].bold
    assert sheet.contact is not None
    assert [u.value for u in sheet.contact.urls] == ["http://www.la27eregion.fr/"]
    assert [e.value for e in sheet.contact.emails] == ["nguiraud@la27eregion.fr"]
    assert len(sheet.resources) == 46
    assert [r.position for r in sheet.resources] == list(range(1, 47))
    # Items separated by blank lines around "[Enregistrer](#)" are read alike.
    r14 = sheet.resources[13]
    assert (r14.title, r14.truncated, r14.line) == (
        "Les limites planétaires, un socle pou...",
        True,
        53,
    )
    assert not sheet.resources[2].truncated  # "La Fabrique des transitions : le podcast"
    assert sheet.sha256 == "54e57f12e83edacd12eb7d645f3d3be478b845bb2c485f94e7a4713d42b9e229"
    assert [i.value[:11] for i in sheet.ignored] == ["Abonnez-vou", "[S'inscrire"]


def test_sheet_without_contact_block() -> None:
    sheet = read_sheet(SHEETS / "atelier-des-communs-publics.txt")
    assert sheet.contact is None
    assert [r.title for r in sheet.resources] == [
        "Guide des communs publics",
        'Podcast "Voix des communs"',
        "Carnet de route des ateliers...",
    ]
    assert [i.lead for i in sheet.items] == ["Cantine des Communs", "Carto Commune"]


def test_sheet_without_resources() -> None:
    sheet = read_sheet(SHEETS / "reseau-sobriete-territoriale.txt")
    assert sheet.resources == []
    assert sheet.contact is not None and sheet.contact.emails[0].line == 18


def test_sheet_with_only_resources_and_a_leap_day() -> None:
    sheet = read_sheet(SHEETS / "bibliotheque-des-transitions.txt")
    assert sheet.updated is not None and sheet.updated.value == dt.date(2024, 2, 29)
    assert sheet.paragraphs == [] and sheet.items == []
    assert [r.line for r in sheet.resources] == [5, 8, 12, 14]


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("empty.txt", 1, "empty"),
        ("binary.txt", 3, "binary"),
        ("no-title.txt", 2, "no title"),
        ("impossible-date.txt", 3, "31 février 2021"),
    ],
)
def test_malformed_sheet_names_file_and_line(name: str, line: int, words: str) -> None:
    path = SHEETS / "malformed" / name
    with pytest.raises(IngestError) as info:
        read_sheet(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_not_utf8_names_the_line() -> None:
    with pytest.raises(IngestError, match="not UTF-8") as info:
        decode("Titre\n\nCafé".encode("latin-1"), "x.txt")
    assert info.value.line == 3


@pytest.mark.parametrize(
    "date",
    ["32 janvier 2020", "2 brumaire 2021", "le deux février", "29 février 2023"],
)
def test_bad_dates_are_rejected(date: str) -> None:
    with pytest.raises(IngestError) as info:
        parse_sheet(f"Titre\n\nMis à jour le {date}\n", "x.txt")
    assert (info.value.line, info.value.field) == (3, "Mis à jour")


LINES = st.sampled_from(
    [
        "",
        "Titre",
        "Mis à jour le 2 février 2021",
        "Mis à jour le 31 février 2021",
        "CONTACT",
        "QUOI ?",
        "- **Projet** : avec la MEL",
        "- **Ressource...**",
        "[Enregistrer](#)",
        "<http://example.org/>",
        "a@b.fr",
        "**gras** et [lien](#)",
        "- le **",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        parse_sheet(text, "fuzz.txt")
    except IngestError as exc:
        assert exc.file == "fuzz.txt"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=30))
def test_parser_never_crashes_on_sheet_like_text(lines: list[str]) -> None:
    try:
        sheet = parse_sheet("\n".join(lines), "fuzz.txt")
    except IngestError as exc:
        assert exc.line is not None and exc.line >= 1
    else:
        assert sheet.title.value.strip()


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_decoding_never_crashes_on_arbitrary_bytes(data: bytes) -> None:
    try:
        sheet = parse_sheet(decode(data, "fuzz.bin"), "fuzz.bin")
    except IngestError as exc:
        assert exc.file == "fuzz.bin" and exc.line is not None
    else:
        assert sheet.title.value
