"""Recognising organisations and vocabulary concepts."""

from __future__ import annotations

import pytest

from actorgraph.ingest import Context, context_from_store
from actorgraph.ingest.recognise import ConceptMatcher, Entry, Gazetteer, Name
from actorgraph.ingest.relations import Extractor
from actorgraph.namespaces import CONCEPT_ID, ORG_ID
from actorgraph.store import EmbeddedStore


@pytest.fixture(scope="module")
def context(store: EmbeddedStore) -> Context:
    return context_from_store(store)


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("la ville de Mulhouse", "ville-de-mulhouse"),
        ("le Gironde", "departement-de-la-gironde"),
        ("la MEL", "metropole-europeenne-de-lille"),
        ("Mairie de Paris", "ville-de-paris"),
        ("Mulhouse-Alsace-Agglomération", "mulhouse-alsace-agglomeration"),
        ("Metz-Métropole", "metz-metropole"),
        ("la Métropole de Metz", "metz-metropole"),
        ("L'Eurométropole de Strasbourg", "eurometropole-de-strasbourg"),
        ("Caissee des Dépôts", "caisse-des-depots"),
        ("la Caisse des Depots", "caisse-des-depots"),
        ("France Urbaine", "france-urbaine"),
    ],
)
def test_project_organisations_win_over_the_reference(
    context: Context, written: str, slug: str
) -> None:
    match = context.organisations.match(written)
    assert match is not None, written
    assert match.entry.iri == str(ORG_ID[slug])


def test_abbreviation_with_its_expansion(context: Context) -> None:
    extractor = Extractor(context.organisations, context.projects, context.vocabularies)
    [rec] = extractor.recognise(
        "la DITP (Direction Interministérielle de la transformation publique)"
    )
    assert rec.written == "DITP"
    assert rec.match is not None and rec.match.entry.iri == str(ORG_ID["ditp"])
    # An unknown abbreviation is still found through its expansion.
    [rec] = extractor.recognise(
        "la DXTP (Direction interministérielle de la transformation publique)"
    )
    assert rec.written == "DXTP" and rec.match is not None
    assert rec.match.entry.iri == str(ORG_ID["ditp"])


def test_a_list_piece_joined_by_et_is_split_only_when_whole_it_matches_nothing(
    context: Context,
) -> None:
    extractor = Extractor(context.organisations, context.projects, context.vocabularies)
    recs = extractor.recognise("la ville de Mulhouse et Mulhouse-Alsace-Agglomération")
    assert [r.written for r in recs] == ["ville de Mulhouse", "Mulhouse-Alsace-Agglomération"]
    assert all(r.match is not None for r in recs)


def test_unknown_names_match_nothing(context: Context) -> None:
    assert context.organisations.match("Collectif Inventé des Rivages") is None
    assert context.organisations.match("Pépinière Imaginaire du Val") is None


def test_reference_gazetteer_is_used_for_bodies_not_in_the_data(context: Context) -> None:
    if not any(e.rank == 1 for e in context.organisations.entries):
        pytest.skip("no reference gazetteer in data/reference/")
    match = context.organisations.match("Communauté urbaine de Dunkerque")
    assert match is not None and match.entry.rank == 0
    ranked = [e for e in context.organisations.entries if e.rank == 1]
    assert ranked, "the reference gazetteer is loaded as rank 1"


def test_ambiguous_names_are_not_guessed() -> None:
    gaz = Gazetteer(
        [
            Entry("http://e/a", (Name("Ville de Saint-Denis", "pref"),), "http://k/Commune"),
            Entry("http://e/b", (Name("Saint-Denis", "pref"),), "http://k/Commune"),
            Entry("http://e/c", (Name("Saint-Denis", "pref"),), "http://k/Commune"),
        ]
    )
    assert gaz.match("Saint-Denis") is None
    assert gaz.match("Ville de Saint-Denis").entry.iri == "http://e/a"  # type: ignore[union-attr]


def test_typos_are_bounded_and_never_in_abbreviations() -> None:
    gaz = Gazetteer(
        [
            Entry("http://e/cdc", (Name("Caisse des Dépôts", "pref"),), "k"),
            Entry("http://e/mel", (Name("MEL", "alt"),), "k"),
        ]
    )
    assert gaz.match("Caissee des Dépôts").how == "typo"  # type: ignore[union-attr]
    assert gaz.match("Caissez des Dépôtss des") is None
    assert gaz.match("MAL") is None


def test_vocabularies_come_from_the_altlabels(context: Context) -> None:
    kinds = context.vocabularies.resource_kinds
    assert kinds.find('Bibliographie "Jeunesse & Climat"') == [str(CONCEPT_ID["bibliography"])]
    assert kinds.find("La Fabrique des transitions : le podcast") == [str(CONCEPT_ID["podcast"])]
    assert kinds.find("Freiburg : les habitants au coeur de", truncated=True) == []
    themes = context.vocabularies.themes
    assert themes.find("Transition démocratique : quelles exi", truncated=True) == [
        str(CONCEPT_ID["democratic-transition"])
    ]
    assert str(CONCEPT_ID["ecological-transition"]) in themes.find(
        'Actes "Forum énergie et éco-transitio', truncated=True
    )


def test_a_cut_word_needs_enough_letters() -> None:
    m = ConceptMatcher([("t", "transition")])
    assert m.find("Initiatives citoyennes et tran", truncated=True) == []
    assert m.find("Initiatives citoyennes et transi", truncated=True) == ["t"]
    assert m.find("Initiatives citoyennes et transi", truncated=False) == []


def test_no_misspelling_is_looked_for_among_reference_bodies() -> None:
    gaz = Gazetteer(
        [
            Entry("http://e/genis", (Name("Saint-Genis-Laval", "pref"),), "k", rank=1),
            Entry("http://e/cdc", (Name("Caisse des Dépôts", "pref"),), "k", rank=0),
        ]
    )
    assert gaz.match("Saint-Genis-Laval").entry.iri == "http://e/genis"  # type: ignore[union-attr]
    assert gaz.match("Saint-Denis-Laval") is None
    assert gaz.match("Caisse des Dépots").entry.iri == "http://e/cdc"  # type: ignore[union-attr]
