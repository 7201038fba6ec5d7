"""Checklist of the seed's facts in the curated graphs (data/graph/la-27e-region.ttl,
data/graph/external-ids.ttl and data/graph/kinds-from-names.ttl), each fact in
the graph of the source that states it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from actorgraph.namespaces import sparql_prefixes
from actorgraph.store import EmbeddedStore

P = sparql_prefixes()
SHEET_GRAPH = "https://w3id.org/actorgraph/graph/la-27e-region"
IDS_GRAPH = "https://w3id.org/actorgraph/graph/external-ids"
KINDS_GRAPH = "https://w3id.org/actorgraph/graph/kinds-from-names"

PARTNERS = {
    # slug: (kind stated by external-ids.md, kind the rule reads in the sheet's
    # names for it, SIREN from external-ids.md); None where that source gives none.
    # The sheet itself gives no kind: "Caissee des Dépôts" has none anywhere.
    "ville-de-paris": ("Commune", "Commune", "217500016"),
    "ville-de-mulhouse": ("Commune", "Commune", "216802249"),
    "mulhouse-alsace-agglomeration": ("EPCI", "CommunauteAgglomeration", "200066009"),
    "communaute-urbaine-de-dunkerque": ("EPCI", "CommunauteUrbaine", "245900428"),
    "region-occitanie": ("Region", "Region", "200053791"),
    "metropole-europeenne-de-lille": ("EPCI", "Metropole", "200093201"),
    "metz-metropole": ("EPCI", "Metropole", "200039865"),
    "eurometropole-de-strasbourg": ("EPCI", "Metropole", "246700488"),
    "caisse-des-depots": (None, None, "180020026"),
    "departement-de-la-gironde": ("Departement", None, "223300013"),
    "france-urbaine": ("Association", None, "301463253"),
    "ditp": ("StateService", None, None),
    "region-bretagne": ("Region", "Region", "233500016"),
}
#: The names (skos:prefLabel, altLabel, hiddenLabel) each source gives an
#: organisation: the sheet's spelling in its graph, the official names in
#: external-ids.
NAMES = {
    "ville-de-paris": (["Mairie de Paris"], ["Ville de Paris"]),
    "ville-de-mulhouse": (["ville de Mulhouse"], ["Ville de Mulhouse"]),
    "mulhouse-alsace-agglomeration": (
        ["Mulhouse-Alsace-Agglomération"],
        ["Mulhouse Alsace Agglomération", "m2A"],
    ),
    "communaute-urbaine-de-dunkerque": (
        ["Communauté urbaine de Dunkerque"],
        ["Communauté urbaine de Dunkerque"],
    ),
    "region-occitanie": (["Région Occitanie"], ["Région Occitanie"]),
    "metropole-europeenne-de-lille": (
        ["Métropole Européenne de Lille", "MEL"],
        ["Métropole Européenne de Lille", "MEL"],
    ),
    "metz-metropole": (["Metz-Métropole", "Métropole de Metz"], ["Metz Métropole"]),
    "eurometropole-de-strasbourg": (
        ["Eurométropole de Strasbourg"],
        ["Eurométropole de Strasbourg"],
    ),
    "caisse-des-depots": (["Caissee des Dépôts"], ["Caisse des Dépôts"]),
    "departement-de-la-gironde": (["Gironde"], ["Département de la Gironde"]),
    "france-urbaine": (["France Urbaine"], ["France urbaine"]),
    "ditp": (
        ["DITP", "Direction Interministérielle de la transformation publique"],
        ["Direction interministérielle de la transformation publique", "DITP"],
    ),
    "region-bretagne": (["Région Bretagne"], ["Région Bretagne"]),
    "la-27e-region": (["27ème Région", "La 27ème", "La 27ème Région"], ["La 27e Région"]),
    "fing": (["Fing"], ["Fondation Internet Nouvelle Génération", "Fing"]),
}
TRANSFO_PARTNERS = {
    "ville-de-paris",
    "ville-de-mulhouse",
    "mulhouse-alsace-agglomeration",
    "communaute-urbaine-de-dunkerque",
    "region-occitanie",
    "metropole-europeenne-de-lille",
    "metz-metropole",
    "eurometropole-de-strasbourg",
}
INSEE = {
    "ville-de-paris": "75056",
    "ville-de-mulhouse": "68224",
    "region-occitanie": "76",
    "departement-de-la-gironde": "33",
    "region-bretagne": "53",
}


def values(store: EmbeddedStore, query: str, graph: str | None = None) -> list[str]:
    if graph:
        query = query.replace("WHERE {", f"WHERE {{ GRAPH <{graph}> {{", 1) + " }"
    rows = store.select(P + query)
    return sorted(next(iter(r.values())).value for r in rows)


def test_46_resources_in_order_with_exact_titles(store: EmbeddedStore) -> None:
    rows = store.select(
        P
        + """SELECT ?r ?title ?pos ?cut WHERE { ?r a ag:Resource ; dcterms:title ?title ;
             ag:listPosition ?pos ; ag:titleTruncated ?cut ; ag:relatedActor agorg:la-27e-region }
             ORDER BY ?pos"""
    )
    assert len(rows) == 46
    assert [int(r["pos"].value) for r in rows] == list(range(1, 47))
    for r in rows:
        assert (r["cut"].value == "true") == r["title"].value.endswith("..."), r["title"].value
    truncated = sum(r["cut"].value == "true" for r in rows)
    assert truncated == 38  # titles ending with "..." in the sheet
    assert rows[0]["title"].value == "Aventures participatives : des élu·es..."
    assert rows[45]["title"].value == 'Fiche "la participation citoyenne et...'


def test_titles_are_exactly_the_sheets(store: EmbeddedStore, seed_sheet: Path) -> None:
    text = seed_sheet.read_text(encoding="utf-8")
    sheet_titles = re.findall(r"^- \*\*(.+?)\*\*\s*$", text, flags=re.M)
    assert len(sheet_titles) == 46
    ours = store.select(
        P + "SELECT ?t ?pos WHERE { ?r a ag:Resource ; dcterms:title ?t ; ag:listPosition ?pos } "
        "ORDER BY ?pos"
    )
    assert [r["t"].value for r in ours] == sheet_titles


def test_no_resource_is_said_to_be_published_by_the_lab(store: EmbeddedStore) -> None:
    assert not store.select(P + "SELECT ?r WHERE { ?r dcterms:publisher ?o }")


def test_resource_kinds_only_where_a_title_word_says_so(store: EmbeddedStore) -> None:
    rows = store.select(
        P
        + """SELECT ?title ?kind WHERE { ?r a ag:Resource ; dcterms:title ?title .
             OPTIONAL { ?r ag:resourceKind ?k . ?k skos:prefLabel ?kind FILTER (lang(?kind) = "en") } }"""
    )
    kinds = {r["title"].value: r["kind"].value.lower() if "kind" in r else None for r in rows}
    assert kinds["La Fabrique des transitions : le podcast"] == "podcast"
    assert kinds['Bibliographie "Jeunesse & Climat"'] == "bibliography"
    assert kinds["Livre blanc pour le développement des..."] == "white paper"
    assert kinds["Manifeste pour une rev3 citoyenne"] == "manifesto"
    # No word of these titles names a kind: none is guessed.
    assert kinds["Aventures participatives : des élu·es..."] is None
    assert kinds["Fabrique de transition démocratique"] is None
    assert kinds["Créer un Repair Café en Hauts-de-France"] is None


def test_four_projects_and_programmes(store: EmbeddedStore) -> None:
    names = values(
        store, "SELECT ?n WHERE { ?p a/rdfs:subClassOf* ag:Project ; skos:prefLabel ?n }"
    )
    # The sheet writes "le Transfo": no source names the programme "La Transfo".
    assert names == [
        "Enacting the Commons",
        "Réflexes publics",
        "Territoires en Résidence",
        "Transfo",
    ]
    transfo = store.select(
        P
        + """SELECT ?start ?dur ?open WHERE { agproj:la-transfo a ag:Programme ;
             schema:startDate ?start ; ag:immersionDuration ?dur ; ag:openMethod ?open ;
             ag:leader agorg:la-27e-region }"""
    )
    # The store keeps durations in canonical form: 18 months is "P1Y6M".
    assert [(r["start"].value, r["dur"].value, r["open"].value) for r in transfo] == [
        ("2011", "P1Y6M", "true")
    ]
    # "quelques vingt pistes": about twenty, so no exact count; the words stay.
    assert not values(store, "SELECT ?n WHERE { agproj:reflexes-publics ag:outputCount ?n }")
    assert values(store, "SELECT ?n WHERE { agproj:reflexes-publics ag:outputLabel ?n }") == [
        "pistes de prospectives concrètes"
    ]
    notes = values(store, "SELECT ?n WHERE { agproj:reflexes-publics skos:note ?n }", SHEET_GRAPH)
    assert len(notes) == 2 and all("quelques vingt" in n for n in notes)
    # "à travers l'Europe": no source links the project to a Wikidata item.
    assert not values(store, "SELECT ?o WHERE { agproj:enacting-the-commons dcterms:spatial ?o }")
    residency = store.select(
        P
        + "SELECT ?n ?d WHERE { agproj:territoires-en-residence ag:immersionCount ?n ; ag:immersionDuration ?d }"
    )
    assert [(r["n"].value, r["d"].value) for r in residency] == [("3", "P1W")]
    settings = values(
        store, "SELECT ?s WHERE { agproj:territoires-en-residence ag:immersionSetting ?s }"
    )
    assert settings == ["lycée", "maison de services", "quartier"]


def test_thirteen_distinct_partners_plus_fing(store: EmbeddedStore) -> None:
    partners = values(store, "SELECT DISTINCT ?o WHERE { ?p a ag:Partnership ; ag:partner ?o }")
    assert [p.rsplit("/", 1)[-1] for p in partners] == sorted(PARTNERS)
    assert values(store, "SELECT ?o WHERE { agorg:la-27e-region ag:incubatedBy ?o }") == [
        "https://w3id.org/actorgraph/id/organisation/fing"
    ]
    transfo = values(store, "SELECT ?o WHERE { ?p ag:inProject agproj:la-transfo ; ag:partner ?o }")
    assert {p.rsplit("/", 1)[-1] for p in transfo} == TRANSFO_PARTNERS
    general = values(
        store, "SELECT ?o WHERE { ?p ag:partnerOf agorg:la-27e-region ; ag:partner ?o }"
    )
    assert len(general) == 8


def test_misspelt_and_repeated_partners_are_one_organisation_each(store: EmbeddedStore) -> None:
    rows = store.select(
        P + "SELECT ?o ?name WHERE { ?p a ag:Partnership ; ag:partner ?o ; ag:partnerName ?name }"
    )
    by_name: dict[str, set[str]] = {}
    for r in rows:
        by_name.setdefault(r["o"].value.rsplit("/", 1)[-1], set()).add(r["name"].value)
    assert by_name["metropole-europeenne-de-lille"] == {"MEL", "Métropole Européenne de Lille"}
    assert by_name["metz-metropole"] == {"Métropole de Metz", "Metz-Métropole"}
    assert by_name["caisse-des-depots"] == {"Caissee des Dépôts"}
    hidden = values(store, "SELECT ?l WHERE { agorg:caisse-des-depots skos:hiddenLabel ?l }")
    assert hidden == ["Caissee des Dépôts"]


@pytest.mark.parametrize("slug", sorted(PARTNERS))
def test_each_partner_is_typed_and_identified(store: EmbeddedStore, slug: str) -> None:
    stated, derived, siren = PARTNERS[slug]
    types = {
        graph: [
            t.rsplit("#", 1)[-1]
            for t in values(store, f"SELECT ?t WHERE {{ agorg:{slug} a ?t }}", graph)
        ]
        for graph in (SHEET_GRAPH, IDS_GRAPH, KINDS_GRAPH)
    }
    assert types == {
        SHEET_GRAPH: ["Organisation"],
        IDS_GRAPH: [stated] if stated else [],
        KINDS_GRAPH: [derived] if derived else [],
    }
    sirens = values(store, f"SELECT ?s WHERE {{ agorg:{slug} ag:siren ?s }}", IDS_GRAPH)
    assert sirens == ([siren] if siren else [])
    codes = values(store, f"SELECT ?c WHERE {{ agorg:{slug} ag:inseeCode ?c }}", IDS_GRAPH)
    assert codes == ([INSEE[slug]] if slug in INSEE else [])


@pytest.mark.parametrize("slug", sorted(NAMES))
def test_each_source_names_an_organisation_in_its_own_graph(
    store: EmbeddedStore, slug: str
) -> None:
    pref = f"SELECT ?n WHERE {{ agorg:{slug} skos:prefLabel ?n }}"
    alt = f"SELECT ?n WHERE {{ agorg:{slug} skos:altLabel|skos:hiddenLabel ?n }}"
    in_sheet, in_ids = NAMES[slug]
    for graph, names in ((SHEET_GRAPH, in_sheet), (IDS_GRAPH, in_ids)):
        found = values(store, pref, graph) + values(store, alt, graph)
        assert sorted(found) == sorted(names), graph
    # One preferred name in all: the official one, which the sheet uses only
    # where it writes that very name.
    assert set(values(store, pref)) == set(values(store, pref, IDS_GRAPH))


def test_contact_and_dates(store: EmbeddedStore) -> None:
    assert values(
        store, "SELECT ?e WHERE { agorg:la-27e-region ag:contactPoint/schema:email ?e }"
    ) == ["nguiraud@la27eregion.fr"]
    assert values(store, "SELECT ?h WHERE { agorg:la-27e-region foaf:homepage ?h }") == [
        "http://www.la27eregion.fr/"
    ]
    assert values(store, "SELECT ?d WHERE { agsrc:la-27e-region-sheet dcterms:modified ?d }") == [
        "2021-02-02"
    ]
    # Each source's founding year, each in its own named graph.
    assert values(
        store, "SELECT ?d WHERE { agorg:la-27e-region schema:foundingDate ?d }", SHEET_GRAPH
    ) == ["2012"]
    assert values(
        store, "SELECT ?d WHERE { agorg:la-27e-region schema:foundingDate ?d }", IDS_GRAPH
    ) == ["2011"]


def test_provenance_names_the_sheet_and_its_hash(store: EmbeddedStore, seed_sheet: Path) -> None:
    digest = hashlib.sha256(seed_sheet.read_bytes()).hexdigest()
    assert values(store, "SELECT ?h WHERE { agsrc:la-27e-region-sheet ag:sha256 ?h }") == [digest]
    assert values(store, f"SELECT ?s WHERE {{ <{SHEET_GRAPH}> prov:wasDerivedFrom ?s }}") == [
        "https://w3id.org/actorgraph/id/source/la-27e-region-sheet"
    ]
    underived = store.select(
        P
        + f"""SELECT ?s WHERE {{ GRAPH <{SHEET_GRAPH}> {{ ?s a ?c }}
              FILTER (?c != ag:Source)
              FILTER NOT EXISTS {{ ?s prov:wasDerivedFrom agsrc:la-27e-region-sheet }} }}"""
    )
    assert not underived, [r["s"].value for r in underived]


def test_descriptions_are_not_copied_from_the_sheet(store: EmbeddedStore, seed_sheet: Path) -> None:
    """No run of 8 words of a description appears as such in the sheet."""

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    sheet = " ".join(words(seed_sheet.read_text(encoding="utf-8")))
    for desc in values(store, "SELECT ?d WHERE { ?s schema:description ?d }"):
        w = words(desc)
        for i in range(len(w) - 7):
            assert " ".join(w[i : i + 8]) not in sheet, desc


def test_no_blank_nodes_in_the_data(store: EmbeddedStore) -> None:
    rows = store.select(
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isBlank(?s) || isBlank(?o)) "
        'FILTER (!STRSTARTS(STR(?g), "https://w3id.org/actorgraph/graph/ontology")) } LIMIT 5',
        union=False,
    )
    assert not rows
