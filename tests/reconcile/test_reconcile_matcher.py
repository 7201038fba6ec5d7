"""The matcher on the forms of French public bodies' names, namesakes,
identifiers and scores; and the index kept on disk."""

from __future__ import annotations

import pickle

import pytest

from actorgraph.errors import UsageError
from actorgraph.reconcile import Query, Reconciler
from actorgraph.reconcile.cache import dumps
from actorgraph.reconcile.matcher import MARGIN, MATCH_MIN

ORG = "https://w3id.org/actorgraph/id/organisation/"


def best(rec: Reconciler, text: str, *types: str, **props: str) -> tuple[str, float, bool]:
    query = Query(
        text,
        tuple(rec.types.resolve(t) for t in types),
        5,
        tuple((k, (v,)) for k, v in props.items()),
    )
    found = rec.reconcile(query)
    assert found, text
    return found[0].id.removeprefix(ORG), found[0].score, found[0].match


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # communes, by the forms of their town halls' names
        ("Mairie de Paris", "ville-de-paris"),
        ("Ville de Bordeaux", "commune-33063"),
        ("Commune de Sète", "commune-34301"),
        ("Mairie du Havre", "commune-76351"),
        ("mairie de saint etienne", "commune-42218"),
        ("St-Étienne", "commune-42218"),
        ("Ste Foy la Grande", "commune-33402"),
        ("VILLENEUVE-SUR-LOT", "commune-47323"),
        ("Villeneuve sur Lott", "commune-47323"),  # a typo
        # EPCI
        ("CA du Grand Angoulême", "epci-200071827"),
        ("Communauté d'agglomération du Grand Angoulême", "epci-200071827"),
        ("Agglo du Grand Angoulême", "epci-200071827"),
        ("Grand Angoulême", "epci-200071827"),
        ("Métropole de Bordeaux", "epci-243300316"),
        ("Communauté de communes du Ternois", "epci-200069672"),
        ("CU de Dunkerque", "communaute-urbaine-de-dunkerque"),
        ("Eurometropole de Strasbourg", "eurometropole-de-strasbourg"),
        # départements
        ("CD 33", "departement-de-la-gironde"),
        ("CD33", "departement-de-la-gironde"),
        ("Département 2A", "departement-2a"),
        ("Conseil départemental du Calvados", "departement-14"),
        ("Conseil général de l'Ain", "departement-01"),
        # régions, current and former
        ("Région Nouvelle-Aquitaine", "region-75"),
        ("Conseil régional d'Occitanie", "region-occitanie"),
        ("Région Aquitaine", "region-75"),
        ("Midi-Pyrénées", "region-occitanie"),
        ("Nord-Pas-de-Calais", "region-32"),
        ("Basse-Normandie", "region-28"),
        ("Région Rhône-Alpes", "region-84"),
        # the directory
        ("La 27e Région", "la-27e-region"),
        ("27eme region", "la-27e-region"),
        ("Caissee des Dépôts", "caisse-des-depots"),
        ("MEL", "metropole-europeenne-de-lille"),
        ("Fing", "fing"),
    ],
)
def test_names_as_people_write_them(reconciler: Reconciler, text: str, expected: str) -> None:
    found, score, match = best(reconciler, text)
    assert (found, match) == (expected, True), (text, score)


def test_a_bare_city_name_is_the_commune_not_its_metropole(reconciler: Reconciler) -> None:
    assert best(reconciler, "Bordeaux")[::2] == ("commune-33063", True)
    assert best(reconciler, "Bordeaux", "ag:EPCI")[::2] == ("epci-243300316", True)


def test_namesakes_need_a_property(reconciler: Reconciler) -> None:
    found = reconciler.reconcile(Query("Saint-Martin", limit=10))
    assert len(found) >= 5 and not any(c.match for c in found)
    communes = [c for c in found if reconciler.body(c.entity) == "commune"]
    assert len(communes) >= 3 and all(c.name.startswith("Saint-Martin (") for c in communes)
    for props in (
        {"departement": "32"},
        {"departement": "Gers"},
        {"inseeCode": "32389"},
        {"siren": "213203896"},
    ):
        assert best(reconciler, "Saint-Martin", **props) == ("commune-32389", 100.0, True)
    assert best(reconciler, "Saint-Martin (32)") == ("commune-32389", 100.0, True)
    # Its own name as the commune property tells it from no namesake.
    assert best(reconciler, "Saint-Martin", commune="Saint-Martin")[2] is False
    assert best(reconciler, "Saint-Martin (Gers)")[::2] == ("commune-32389", True)


def test_the_commune_property_finds_the_epci_that_holds_it(reconciler: Reconciler) -> None:
    found = reconciler.reconcile(
        Query("Pays de l'Or", (reconciler.types.resolve("epci"),), 3, (("commune", ("Mauguio",)),))
    )
    assert found and found[0].match and dict(found[0].features)["commune"] is True


def test_an_identifier_wins_outright(reconciler: Reconciler) -> None:
    # The name says the commune; the SIREN says the métropole: the SIREN wins.
    assert best(reconciler, "Bordeaux", siren="243300316") == ("epci-243300316", 100.0, True)
    # A SIRET stands for its SIREN; a commune code that lost its leading zero gets it back.
    assert best(reconciler, "Paris", siren="21750001600019")[::2] == ("ville-de-paris", True)
    assert best(reconciler, "", inseeCode="1001")[::2] == ("commune-01001", True)
    # An identifier as the query is found too.
    assert best(reconciler, "217500016")[::2] == ("ville-de-paris", True)
    assert best(reconciler, ORG + "commune-33063")[::2] == ("commune-33063", True)


def test_a_property_that_disagrees_forbids_the_match(reconciler: Reconciler) -> None:
    _found, score, match = best(reconciler, "Ville de Bordeaux", departement="75")
    assert not match and score <= 100 - 40


def test_ambiguity_is_not_matched(reconciler: Reconciler) -> None:
    # Paris, the commune and the département; Montpelier one letter from two communes.
    assert best(reconciler, "Paris")[2] is False
    assert best(reconciler, "Paris", "commune")[::2] == ("ville-de-paris", True)
    assert best(reconciler, "Montpelier")[2] is False
    assert reconciler.reconcile(Query("Association des amis de nulle part")) == []


def test_the_decision_thresholds_are_sane() -> None:
    assert 80 < MATCH_MIN <= 90 and 5 <= MARGIN <= 15


def test_scores_are_between_0_and_100(reconciler: Reconciler) -> None:
    for text in ("Paris", "Saint-Martin", "Mairie de Bordaux", "CD 33", "x" * 300):
        for c in reconciler.reconcile(Query(text, limit=20)):
            assert 0 <= c.score <= 100


def test_types_are_resolved_from_their_many_names(reconciler: Reconciler) -> None:
    commune = "https://w3id.org/actorgraph/ontology#Commune"
    for written in (
        commune,
        "ag:Commune",
        "Commune",
        "commune",
        "igeo:Commune",
        "http://rdf.insee.fr/def/geo#Commune",
        "agc:commune",
    ):
        assert reconciler.types.resolve(written) == commune
    with pytest.raises(UsageError):
        reconciler.types.resolve("ag:Ville")


def test_the_index_survives_the_disk(reconciler: Reconciler) -> None:
    again = pickle.loads(dumps(reconciler))
    again.store = reconciler.store
    for text in ("Mairie de Paris", "Saint-Martin", "Villeneuve sur Lott", "CD 33"):
        assert [(c.id, c.score, c.match) for c in again.reconcile(Query(text))] == [
            (c.id, c.score, c.match) for c in reconciler.reconcile(Query(text))
        ]
    assert again.epcis(again.entity(ORG + "commune-33063"))  # read from the store again


SMALL_REFERENCE = """
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
agorg:commune-99001 a ag:Commune ; skos:prefLabel "Testville"@fr ;
    ag:inseeCode "99001" ; ag:siren "219900011" .
agorg:commune-98001 a ag:Commune ; skos:prefLabel "Autreville"@fr ; ag:inseeCode "98001" .
"""
SMALL_DATA = """
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
agorg:ville-de-testville a ag:Organisation ; skos:prefLabel "Ville de Testville"@fr ;
    skos:hiddenLabel "Vile de Testvile"@fr .
agorg:collectif a ag:Association ; skos:altLabel "Le Collectif"@fr ;
    foaf:homepage <https://www.collectif.example/> .
agorg:nameless ag:siren "000000000" .
"""
SMALL_LINKS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
agorg:ville-de-testville owl:sameAs agorg:commune-99001 .
"""


def test_an_index_of_a_small_store_without_the_gazetteer_table() -> None:
    from actorgraph.namespaces import GRAPH
    from actorgraph.store import EmbeddedStore

    store = EmbeddedStore()
    store.load_bytes(SMALL_REFERENCE.encode(), "ttl", graph=str(GRAPH["reference/gazetteer"]))
    store.load_bytes(SMALL_DATA.encode(), "ttl", graph=str(GRAPH["small"]))
    store.load_bytes(SMALL_LINKS.encode(), "ttl", graph=str(GRAPH["links/gazetteer"]))
    rec = Reconciler.build(store, None)  # the gazetteer asked of the store
    assert len(rec) == 3  # Testville once (two IRIs), Autreville, the collective
    assert rec.entity(ORG + "commune-99001") is rec.entity(ORG + "ville-de-testville")
    assert best(rec, "Mairie de Testville")[::2] == ("ville-de-testville", True)
    assert best(rec, "Vile de Testvile")[::2] == ("ville-de-testville", True)
    assert best(rec, "Testville", siren="219900011")[::2] == ("ville-de-testville", True)
    assert best(rec, "Collectif", website="http://collectif.example")[::2] == ("collectif", True)
    assert rec.types.resolve("commune").endswith("#Commune")  # the package's own list
