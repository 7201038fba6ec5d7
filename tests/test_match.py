"""The name matcher: normalisation, forms of public bodies' names, the index."""

from __future__ import annotations

import pytest

from actorgraph.match import FORMS, KINDS, NameIndex, normalise, parse, strip_form


def ids(index: NameIndex, text: str, kind: str | None = None) -> list[str]:
    return [c.id for c in index.candidates(text, kind, limit=None)]


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        ("L'Eurométropole de Strasbourg", "eurometropole de strasbourg"),
        ("L’Île-Saint\u2011Denis", "ile saint denis"),
        ("Mulhouse-Alsace-Agglomération", "mulhouse alsace agglomeration"),
        ("St-Genis-Laval", "saint genis laval"),
        ("Ste Foy", "sainte foy"),
        ("Œuvre", "oeuvre"),
        ("La", "la"),
    ],
)
def test_normalise(written: str, bare: str) -> None:
    assert normalise(written) == bare


@pytest.mark.parametrize(
    ("written", "kind", "core"),
    [
        ("Ville de Paris", "commune", "paris"),
        ("Mairie de Paris", "commune", "paris"),
        ("Commune d'Eu", "commune", "eu"),
        ("Département de la Gironde", "departement", "gironde"),
        ("Conseil départemental de l'Ain", "departement", "ain"),
        ("CD Gironde", "departement", "gironde"),
        ("Région Bretagne", "region", "bretagne"),
        ("Conseil régional d'Occitanie", "region", "occitanie"),
        ("Communauté d'agglomération du Grand Dole", "epci", "grand dole"),
        ("CA du Grand Dole", "epci", "grand dole"),
        ("Communauté de communes Faucigny Glières", "epci", "faucigny glieres"),
        ("CC Faucigny - Glières", "epci", "faucigny glieres"),
        ("Communauté urbaine de Dunkerque", "epci", "dunkerque"),
        ("CU de Dunkerque", "epci", "dunkerque"),
        ("Agglo du Pays de Dreux", "epci", "pays de dreux"),
        ("Métropole de Lyon", "epci", "lyon"),
        ("Metz Métropole", "epci", "metz"),
        ("Eurométropole de Strasbourg", "epci", "strasbourg"),
    ],
)
def test_forms_give_core_and_kind(written: str, kind: str, core: str) -> None:
    assert (core, kind) in [(c.rest, c.kind) for c in parse(written).cores]


def test_every_form_names_a_known_kind() -> None:
    assert {f.kind for f in FORMS} == set(KINDS)
    assert len({f.words for f in FORMS}) == len(FORMS), "one entry per form"


@pytest.mark.parametrize("written", ["Ville nouvelle", "Villeneuve", "Régionale", "Métropole"])
def test_words_that_only_look_like_forms(written: str) -> None:
    assert [c.kind for c in parse(written).cores] == [None]


def test_strip_form_keeps_the_written_name() -> None:
    assert strip_form("Ville de Paris", "commune") == "Paris"
    assert strip_form("Département de l'Ain", "departement") == "Ain"
    assert strip_form("Conseil régional d’Île-de-France", "region") == "Île-de-France"
    assert strip_form("Région Bretagne", "departement") is None
    assert strip_form("Paris", "commune") is None


# ---------------------------------------------------------------- the index


@pytest.fixture
def bodies() -> NameIndex:
    index = NameIndex()
    for id_, name, kind in [
        ("paris", "Paris", "commune"),
        ("paris-75", "Paris", "departement"),
        ("ville-de-paris", "Ville de Paris", "commune"),
        ("gironde", "Département de la Gironde", "departement"),
        ("dunkerque", "Dunkerque", "commune"),
        ("cud", "Communauté urbaine de Dunkerque", "epci"),
        ("vernet", "Vernet", "commune"),
        ("le-vernet", "Le Vernet", "commune"),
        ("metz-metropole", "Metz Métropole", "epci"),
        ("bretagne", "Région Bretagne", "region"),
        ("cdc", "Caisse des Dépôts", None),
    ]:
        index.add(id_, name, kind)
    return index


def test_exact_names_come_first(bodies: NameIndex) -> None:
    found = bodies.candidates("Ville de Paris")
    assert found[0].id == "ville-de-paris" and found[0].exact and found[0].score == 1.0
    assert [c.id for c in found[1:]] == ["paris"]  # the commune by its form, not the département
    assert not found[1].exact and found[1].how == "form"


def test_kind_restricts_and_forms_must_agree(bodies: NameIndex) -> None:
    assert ids(bodies, "Paris", "departement") == ["paris-75"]
    assert ids(bodies, "Département de Paris") == ["paris-75"]
    # "Ville de Dunkerque" is the commune, never the communauté urbaine
    assert ids(bodies, "Ville de Dunkerque") == ["dunkerque"]
    assert ids(bodies, "CU de Dunkerque") == ["cud"]
    assert ids(bodies, "Métropole de Metz") == ["metz-metropole"]
    assert ids(bodies, "le Gironde") == ["gironde"]
    assert ids(bodies, "Bretagne", "commune") == []


def test_the_article_a_connector_holds_decides(bodies: NameIndex) -> None:
    assert bodies.candidates("Ville du Vernet")[0].id == "le-vernet"
    assert bodies.candidates("Ville de Vernet")[0].id == "vernet"
    assert bodies.candidates("Le Vernet")[0].id == "le-vernet"


def test_typos_only_when_nothing_closer(bodies: NameIndex) -> None:
    [found] = bodies.candidates("Caissee des Dépôts")
    assert (found.id, found.how, found.exact) == ("cdc", "typo", False)
    assert found.score < bodies.candidates("Caisse des Dépôts")[0].score
    assert bodies.candidates("CAISSEE DES DEPOTS") == []  # capitals: an acronym, not a typo
    assert bodies.candidates("Cai des Dépôts") == []  # three edits


@pytest.mark.parametrize(
    ("known", "other"),
    [
        ("Projet Tramway 12", "Projet Tramway 120"),
        ("Projet Tramway 12", "Projet Tramway 13"),
        ("Festival des Communs 2023", "Festival des Communs 2024"),
        ("Université Paris VII", "Université Paris VIII"),
        ("Résidence Les Tilleuls lot A", "Résidence Les Tilleuls lot B"),
        ("Collectif Inconnu 12-1", "Collectif Inconnu 120-1"),
        ("Atelier Communs 0012", "Atelier Communs 0512"),
    ],
)
def test_a_number_year_numeral_or_code_is_never_a_typo(known: str, other: str) -> None:
    """Regression (#16.2): "Projet Tramway 120" was taken for "Projet Tramway 12"."""
    index = NameIndex()
    index.add("known", known)
    assert index.candidates(known)[0].id == "known"
    assert index.candidates(other) == []
    index.add("other", other)
    assert ids(index, other) == ["other"]
    # a real typo elsewhere in the name still matches, numbers equal
    misspelt = other[:3] + "x" + other[3:]
    assert ids(index, misspelt) == ["other"]


def test_fuzzy_false_keeps_names_out_of_typo_searches() -> None:
    index = NameIndex()
    index.add("genis", "Saint-Genis-Laval", "commune", fuzzy=False)
    assert ids(index, "Saint-Genis-Laval") == ["genis"]
    assert ids(index, "Saint-Denis-Laval") == []


def test_one_candidate_per_entity_with_its_extra() -> None:
    index = NameIndex()
    index.add("mel", "Métropole Européenne de Lille", "epci", role="pref")
    index.add("mel", "MEL", "epci", role="alt")
    index.add("mel", "Metropole europeenne de Lille", "epci", role="alt")
    [found] = index.candidates("la Métropole Européenne de Lille")
    assert found.extra == {"role": "pref"} and found.name == "Métropole Européenne de Lille"
    assert [m.extra["role"] for m in index.matches("Métropole Européenne de Lille")] == [
        "pref",
        "alt",
    ]
    assert len(index.candidates("x", limit=0)) == 0


def test_limit_and_order() -> None:
    index = NameIndex()
    for n in range(5):
        index.add(f"saint-denis-{n}", "Saint-Denis", "commune")
    found = index.candidates("Ville de Saint-Denis", limit=3)
    assert [c.id for c in found] == ["saint-denis-0", "saint-denis-1", "saint-denis-2"]
    assert len(index.candidates("Saint-Denis", limit=None)) == 5


def test_names_without_letters_are_not_indexed() -> None:
    index = NameIndex()
    index.add("x", "— … —")
    assert len(index) == 0 and index.candidates("— … —") == []


def test_adding_is_incremental_and_derived_indexes_leave_the_base_alone() -> None:
    base = NameIndex()
    base.add("a", "Atelier des Communs", None)
    more = base.derived()
    more.add("b", "Bureau des Communs", None)
    assert ids(more, "Atelier des Communs") == ["a"]
    assert ids(more, "Bureau des Communs") == ["b"]
    assert ids(base, "Bureau des Communs") == []
    assert (len(base), len(more)) == (1, 2)
    # typos reach both layers, each name once
    more.add("c", "Atelier des Comuns", None)
    assert ids(more, "Atelier des Commons") == ["a"]
