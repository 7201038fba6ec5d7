"""``link``: gazetteer matching offline, Wikidata matching against a real SPARQL
server on 127.0.0.1 loaded with a Wikidata-shaped fixture, and the verb."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import SparqlServer, free_port, start_server, stop_server

from actorgraph.cli import main
from actorgraph.errors import LinkError
from actorgraph.link import (
    OWL_SAME_AS,
    Gazetteer,
    Organisation,
    link_project,
    links_by_org,
    match_gazetteer,
    match_wikidata,
    read_links,
)
from actorgraph.namespaces import AG, ORG_ID, WD
from actorgraph.project import Project
from actorgraph.refdata import INDEX_FILE
from actorgraph.wikidata import WikidataClient, with_wikidata_endpoint

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "wikidata.ttl"
TODAY = dt.date(2026, 1, 15)
SIREN, INSEE = str(AG.siren), str(AG.inseeCode)
TERRITORY, INSTITUTION = str(AG.territoryItem), str(AG.institutionItem)


def org(slug: str) -> str:
    return str(ORG_ID[slug])


def wd(q: str) -> str:
    return str(WD[q])


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    server = start_server(tmp_path_factory.mktemp("wikidata") / "db", [FIXTURE])
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def gazetteer(project: Project) -> Gazetteer:
    return Gazetteer.load(project.reference_dir)


def copy_project(project: Project, dest: Path, *, data: tuple[str, ...]) -> Project:
    """A copy holding the ontology, the given data files and the gazetteer index."""
    (dest / "ontology").mkdir(parents=True)
    shutil.copy(project.ontology, dest / "ontology" / "actorgraph.ttl")
    (dest / "data" / "graph").mkdir(parents=True)
    for name in data:
        shutil.copy(project.data_dir / name, dest / "data" / "graph" / name)
    (dest / "data" / "reference").mkdir()
    # a link, not a copy: the linker keeps the gazetteer it loaded last, by real path
    (dest / "data" / "reference" / INDEX_FILE).symlink_to(project.reference_dir / INDEX_FILE)
    return Project(dest)


@pytest.fixture
def sheet_only(project: Project, tmp_path: Path) -> Project:
    """The seed sheet alone, with the kinds its names give (kinds-from-names.ttl):
    no identifier is known, only names and kinds."""
    return copy_project(project, tmp_path / "p", data=("la-27e-region.ttl", "kinds-from-names.ttl"))


@pytest.fixture
def seed(project: Project, tmp_path: Path) -> Project:
    return copy_project(
        project,
        tmp_path / "p",
        data=("la-27e-region.ttl", "external-ids.ttl", "kinds-from-names.ttl"),
    )


def client(server: SparqlServer | None, cache: Path, **kw: object) -> WikidataClient:
    endpoint = server.query_url if server else f"http://127.0.0.1:{free_port()}/query"
    return WikidataClient(endpoint, cache_dir=cache, timeout=5, retries=0, **kw)  # type: ignore[arg-type]


#: What the seed's partner authorities must get from the gazetteer (external-ids.md).
EXPECTED_IDS = {
    "metropole-europeenne-de-lille": ("200093201", None),
    "eurometropole-de-strasbourg": ("246700488", None),
    "mulhouse-alsace-agglomeration": ("200066009", None),
    "communaute-urbaine-de-dunkerque": ("245900428", None),
    "metz-metropole": ("200039865", None),
    "region-occitanie": ("200053791", "76"),
    "region-bretagne": ("233500016", "53"),
    "departement-de-la-gironde": ("223300013", "33"),
    "ville-de-paris": ("217500016", "75056"),
    "ville-de-mulhouse": ("216802249", "68224"),
}
#: The sheet writes "le Gironde": no kind word, so without external-ids the
#: département has no kind to be looked for by name.
NO_KIND_IN_SHEET = {"departement-de-la-gironde"}
#: Territory items of external-ids.md; every other organisation gets none.
EXPECTED_TERRITORY = {
    "ville-de-paris": "Q90",
    "ville-de-mulhouse": "Q79815",
    "region-occitanie": "Q18678265",
    "departement-de-la-gironde": "Q12526",
    "region-bretagne": "Q12130",
}


# ---------------------------------------------------------------- gazetteer, offline


def test_sheet_names_and_kinds_find_the_gazetteer_identifiers(sheet_only: Project) -> None:
    result = link_project(sheet_only, None, today=TODAY)
    found = links_by_org(result)
    for slug, (siren, code) in EXPECTED_IDS.items():
        if slug in NO_KIND_IN_SHEET:
            assert org(slug) not in found, slug
            continue
        assert found[org(slug)][SIREN] == siren, slug
        assert found[org(slug)].get(INSEE) == code, slug
    # Région Bretagne is the région 53, not a commune; Paris the commune, not the département
    assert found[org("region-bretagne")][OWL_SAME_AS] == org("region-53")
    assert found[org("ville-de-paris")][OWL_SAME_AS] == org("commune-75056")
    # no gazetteer entry for associations, state services, the Caisse des Dépôts
    for slug in ("la-27e-region", "fing", "ditp", "caisse-des-depots", "france-urbaine"):
        assert org(slug) not in found
    assert result.reviews == []


def test_found_identifiers_agree_with_external_ids(seed: Project) -> None:
    result = link_project(seed, None, today=TODAY)
    found = links_by_org(result)
    rows = seed_identifiers()
    assert rows, "external-ids.ttl states identifiers"
    for (slug, prop), value in rows.items():
        if org(slug) in found:
            assert found[org(slug)].get(prop, value) == value, (slug, prop)
    assert set(EXPECTED_IDS) <= {k.rsplit("/", 1)[-1] for k in found}


def seed_identifiers() -> dict[tuple[str, str], str]:
    store = ox.Store()
    path = Path(__file__).parents[1] / "data" / "graph" / "external-ids.ttl"
    store.load(path.read_bytes(), format=ox.RdfFormat.TURTLE)
    out = {}
    for prop in (SIREN, INSEE):
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            out[(q.subject.value.rsplit("/", 1)[-1], prop)] = q.object.value
    return out


def test_homonym_communes_go_to_review(gazetteer: Gazetteer) -> None:
    saint_denis = Organisation(org("x"), {"Commune"}, ["Ville de Saint-Denis"])
    link, review = match_gazetteer(saint_denis, gazetteer, "2026-01-15")
    assert link is None and review is not None
    assert org("commune-93066") in review.candidates and org("commune-97411") in review.candidates


def test_kind_decides_between_homonyms(gazetteer: Gazetteer) -> None:
    """ "Paris" is a commune and a département; "Bretagne" only a région."""
    dep = Organisation(org("x"), {"Departement"}, ["Département de Paris"])
    link, _ = match_gazetteer(dep, gazetteer, "2026-01-15")
    assert link is not None and link.target == org("departement-75")
    region = Organisation(org("y"), {"Region"}, ["Région Bretagne"])
    link, _ = match_gazetteer(region, gazetteer, "2026-01-15")
    assert link is not None and link.target == org("region-53")
    # two small communes are called Bretagne (Indre, Territoire de Belfort): a commune
    # named so is left for review, and never matched to the région
    commune = Organisation(org("z"), {"Commune"}, ["Bretagne"])
    link, review = match_gazetteer(commune, gazetteer, "2026-01-15")
    assert link is None and review is not None
    assert review.candidates == (org("commune-36024"), org("commune-90019"))


def test_contradicting_siren_goes_to_review(gazetteer: Gazetteer) -> None:
    paris = Organisation(org("x"), {"Commune"}, ["Ville de Paris"], codes={"75056"})
    paris.siren = {"216802249"}  # Mulhouse's
    link, review = match_gazetteer(paris, gazetteer, "2026-01-15")
    assert link is None and review is not None
    assert review.reason == "the gazetteer's INSEE code 68224 differs from ours"


# ---------------------------------------------------------------- Wikidata, local server


@pytest.mark.server
def test_seed_gets_the_territory_items_of_external_ids(
    seed: Project, wikidata: SparqlServer, tmp_path: Path
) -> None:
    result = link_project(seed, client(wikidata, tmp_path / "cache"), today=TODAY)
    found = links_by_org(result)
    territory = {k.rsplit("/", 1)[-1]: v[TERRITORY] for k, v in found.items() if TERRITORY in v}
    assert territory == {k: wd(v) for k, v in EXPECTED_TERRITORY.items()}
    # the Strasbourg item also carries the Eurométropole's SIREN: not linked, reviewed
    ems = org("eurometropole-de-strasbourg")
    assert INSTITUTION not in found[ems]
    assert any(r.source == ems and wd("Q6602") in r.candidates for r in result.reviews)
    # an item with Gironde's SIREN and no territory code is the institution, kept apart
    assert found[org("departement-de-la-gironde")][INSTITUTION] == wd("Q900000003")
    institution = {k for k, v in found.items() if INSTITUTION in v}
    assert institution == {org("departement-de-la-gironde")}
    text = (seed.links_dir / "wikidata.ttl").read_text()
    assert "sssom:object_match_field wdt:P374" in text and 'sssom:match_string "75056"' in text


@pytest.mark.server
def test_label_lookup_skips_homonyms(wikidata: SparqlServer, tmp_path: Path) -> None:
    orgs = [
        Organisation(org("metz"), {"Commune"}, ["Ville de Metz"]),
        Organisation(org("bretagne"), {"Region"}, ["Région Bretagne"]),
        Organisation(org("paris"), {"Commune"}, ["Ville de Paris"]),
    ]
    links, reviews = match_wikidata(orgs, client(wikidata, tmp_path), "2026-01-15")
    assert [(lk.source, lk.target, lk.score) for lk in links] == [
        (org("bretagne"), wd("Q12130"), 0.7)
    ]
    metz = next(r for r in reviews if r.source == org("metz"))
    assert metz.candidates == (wd("Q22690"), wd("Q900000002"))
    # Q90 is not typed as a commune: a label match that needs the type cannot take it
    assert all(lk.source != org("paris") for lk in links)


@pytest.mark.server
def test_rerun_asks_nothing_and_keeps_links(
    sheet_only: Project, wikidata: SparqlServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = client(wikidata, cache)
    link_project(sheet_only, first, today=TODAY)
    assert first.asked > 0
    before = {p.name: p.read_bytes() for p in sheet_only.links_dir.iterdir()}
    # a later day, offline: answers come from the cache, links stay as written
    again = WikidataClient(wikidata.query_url, cache_dir=cache, offline=True)
    result = link_project(sheet_only, again, today=TODAY + dt.timedelta(days=3))
    assert again.asked == 0 and result.written == []
    assert {p.name: p.read_bytes() for p in sheet_only.links_dir.iterdir()} == before


@pytest.mark.server
def test_existing_links_stay_unless_refresh(
    sheet_only: Project, wikidata: SparqlServer, tmp_path: Path
) -> None:
    link_project(sheet_only, client(wikidata, tmp_path / "c"), today=TODAY)
    path = sheet_only.links_dir / "wikidata.ttl"
    # a person corrects a link by hand: it stays on the next run
    edited = path.read_text().replace("wd:Q79815", "wd:Q424242")
    path.write_text(edited)
    link_project(sheet_only, client(wikidata, tmp_path / "c"), today=TODAY)
    assert any(lk.target == wd("Q424242") for lk in read_links(path))
    link_project(sheet_only, client(wikidata, tmp_path / "c"), refresh=True, today=TODAY)
    targets = {lk.target for lk in read_links(path)}
    assert wd("Q79815") in targets and wd("Q424242") not in targets


def test_unreachable_endpoint_is_a_link_error(sheet_only: Project, tmp_path: Path) -> None:
    with pytest.raises(LinkError) as err:
        link_project(sheet_only, client(None, tmp_path / "c"), today=TODAY)
    assert err.value.exit_code == 3
    assert not sheet_only.links_dir.exists()


def test_cli_unreachable_exits_3_and_leaves_links(seed: Project) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["-C", str(seed.root), "link", "--offline"])
    assert ok.exit_code == 0, ok.output
    before = {p.name: p.read_bytes() for p in seed.links_dir.iterdir()}
    dead = f"http://127.0.0.1:{free_port()}/query"
    args = [
        "-C",
        str(seed.root),
        "link",
        "--refresh",
        "--retries",
        "0",
        "--wikidata-endpoint",
        dead,
    ]
    res = runner.invoke(main, args)
    assert res.exit_code == 3, res.output
    assert "Traceback" not in res.output
    assert {p.name: p.read_bytes() for p in seed.links_dir.iterdir()} == before


def test_cli_help_has_an_example() -> None:
    res = CliRunner().invoke(main, ["link", "--help"])
    assert res.exit_code == 0 and "actorgraph link --offline" in res.output


# ---------------------------------------------------------------- federated queries


@pytest.mark.server
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "partner-cities-population",
            {("ville-de-paris", "2103778"), ("ville-de-mulhouse", "104978")},
        ),
        (
            "partner-official-websites",
            {
                ("ville-de-paris", "https://www.paris.fr/"),
                ("ville-de-mulhouse", "https://www.mulhouse.fr/"),
            },
        ),
    ],
)
def test_federated_queries(
    project: Project, wikidata: SparqlServer, name: str, expected: set[tuple[str, str]]
) -> None:
    from actorgraph.store import EmbeddedStore

    store = EmbeddedStore()
    for path in (project.data_dir / "la-27e-region.ttl", project.data_dir / "external-ids.ttl"):
        store.load_file(path, graph=f"urn:{path.stem}")
    text = (project.queries_dir / f"{name}.rq").read_text()
    assert "SERVICE <https://query.wikidata.org/sparql>" in text
    rows = store.select(with_wikidata_endpoint(text, wikidata.query_url))
    value = "population" if "population" in name else "website"
    assert {(r["org"].value.rsplit("/", 1)[-1], r[value].value) for r in rows} == expected
