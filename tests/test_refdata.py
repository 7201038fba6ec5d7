"""The gazetteer: its builder, and the committed build checked against counts and known codes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import unavailable

from actorgraph.errors import LoadError
from actorgraph.project import Project, graph_iri
from actorgraph.refdata import (
    GAZETTEER_FILE,
    INDEX_FILE,
    PackageInfo,
    build_ntriples,
    build_refdata,
    count_kinds,
    gazetteer_index,
    read_index,
    read_sirens,
)
from actorgraph.store import EmbeddedStore

GAZ = graph_iri("reference", "gazetteer")
PREFIXES = """
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
PREFIX agorg: <https://w3id.org/actorgraph/id/organisation/>
PREFIX agc: <https://w3id.org/actorgraph/id/concept/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

TABLES = {
    "regions": [{"code": "44", "nom": "Grand Est"}],
    "departements": [
        {"code": "67", "nom": "Bas-Rhin", "region": "44"},
        {"code": "2A", "nom": "Corse-du-Sud", "region": "94"},
    ],
    "communes": [
        {"code": "67482", "nom": "Strasbourg", "departement": "67", "region": "44",
         "type": "commune-actuelle", "siren": "216704825"},
        {"code": "67999", "nom": "Ancienne", "departement": "67", "region": "44",
         "type": "commune-deleguee"},
        {"code": "67001", "nom": 'Le "Quoted"', "departement": "67", "region": "44",
         "type": "commune-actuelle"},
    ],
    "epci": [
        {"code": "246700488", "nom": "Eurométropole de Strasbourg", "type": "METRO",
         "membres": [{"code": "67482"}, {"code": "67999"}]},
        {"code": "200046977", "nom": "Métropole de Lyon", "type": "MET69", "membres": []},
    ],
}  # fmt: skip


def small() -> bytes:
    return build_ntriples(
        TABLES, {("region", "44"): "200052264"}, PackageInfo("@etalab/x", "1.0.0", "ab" * 32)
    )


def test_builder_is_deterministic_and_keeps_current_communes_only() -> None:
    nt = small()
    assert nt == small()
    assert nt.splitlines() == sorted(nt.splitlines())
    kinds = count_kinds(nt)
    assert kinds["Commune"] == 2  # the commune déléguée is left out
    assert kinds["Metropole"] == 1
    assert kinds["LocalAuthority"] == 1  # Métropole de Lyon: a collectivity, not an EPCI
    assert b"commune-67999" not in nt


def test_builder_graph_shape() -> None:
    store = EmbeddedStore()
    store.load_bytes(small(), "nt", graph=GAZ)
    ask = (
        PREFIXES
        + """ASK {
      agorg:commune-67482 a ag:Commune ; ag:inseeCode "67482" ; ag:siren "216704825" ;
          skos:prefLabel "Strasbourg"@fr ; dcterms:spatial agc:commune-67482 ;
          org:memberOf agorg:epci-246700488 .
      agc:commune-67482 a igeo:Commune , skos:Concept ; skos:inScheme agc:territories ;
          igeo:codeINSEE "67482" ;
          igeo:sousDivisionDe agc:departement-67 .
      agc:departement-67 igeo:sousDivisionDe agc:region-44 .
      agc:departement-2a igeo:codeINSEE "2A" .
      agorg:region-44 ag:siren "200052264" .
      agorg:epci-246700488 a ag:Metropole ; ag:siren "246700488" .
      <https://w3id.org/actorgraph/graph/reference/gazetteer> prov:wasDerivedFrom ?src .
      ?src ag:sha256 ?sha ; <http://purl.org/dc/terms/hasVersion> "1.0.0" .
    }"""
    )
    assert store.query(ask)
    # a quote in a name survives the trip through N-Triples
    assert store.select(PREFIXES + 'SELECT ?c WHERE { ?c skos:prefLabel "Le \\"Quoted\\""@fr }')


def test_index_matches_the_triples() -> None:
    rows = gazetteer_index(small())
    assert ["commune-67001", "Commune", 'Le "Quoted"', "", "67001"] in rows
    assert ["region-44", "Region", "Grand Est", "200052264", "44"] in rows


def test_siren_csv_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "s.csv"
    bad.write_text("# comment\nkind,code,siren\nregion,44,200052264\nregion,76,200053792\n")
    with pytest.raises(LoadError) as err:
        read_sirens(bad)
    assert err.value.line == 4 and err.value.field == "siren"
    assert str(bad) in str(err.value)


def test_bad_tarball_is_a_load_error(tmp_path: Path) -> None:
    (tmp_path / "siren-collectivites.csv").write_text("kind,code,siren\nregion,44,200052264\n")
    tarball = tmp_path / "x.tgz"
    tarball.write_bytes(b"not a tarball")
    with pytest.raises(LoadError):
        build_refdata(tmp_path, tmp_path, tarball=tarball)
    assert not (tmp_path / GAZETTEER_FILE).exists()


# ---------------------------------------------------------------- the committed gazetteer


@pytest.fixture(scope="module")
def committed(project: Project) -> bytes:
    path = project.reference_dir / GAZETTEER_FILE
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make refdata`")
    return gzip.decompress(path.read_bytes())


def test_committed_counts(committed: bytes) -> None:
    kinds = count_kinds(committed)
    assert kinds["Commune"] == 34969
    assert kinds["Departement"] == 109
    assert kinds["Region"] == 26
    epci = sum(
        kinds[k]
        for k in ("Metropole", "CommunauteUrbaine", "CommunauteAgglomeration", "CommunauteCommunes")
    )
    assert epci + kinds["LocalAuthority"] == 1255  # Métropole de Lyon is the LocalAuthority
    assert kinds["Metropole"] == 21


def test_committed_index_is_derived_from_the_gazetteer(project: Project, committed: bytes) -> None:
    assert read_index(project.reference_dir / INDEX_FILE) == gazetteer_index(committed)


@pytest.mark.parametrize(
    ("slug", "cls", "siren", "code"),
    [
        ("epci-200093201", "Metropole", "200093201", ""),  # Métropole Européenne de Lille
        ("epci-246700488", "Metropole", "246700488", ""),  # Eurométropole de Strasbourg
        ("epci-200066009", "CommunauteAgglomeration", "200066009", ""),  # m2A
        ("epci-245900428", "CommunauteUrbaine", "245900428", ""),  # CU de Dunkerque
        ("epci-200039865", "Metropole", "200039865", ""),  # Metz Métropole
        ("region-76", "Region", "200053791", "76"),
        ("region-53", "Region", "233500016", "53"),
        ("region-32", "Region", "200053742", "32"),
        ("region-44", "Region", "200052264", "44"),
        ("departement-33", "Departement", "223300013", "33"),
        ("commune-75056", "Commune", "217500016", "75056"),
        ("commune-68224", "Commune", "216802249", "68224"),
        ("commune-59183", "Commune", "200027159", "59183"),
        ("commune-59350", "Commune", "215903501", "59350"),
        ("commune-57463", "Commune", "215704636", "57463"),
        ("commune-67482", "Commune", "216704825", "67482"),
    ],
)
def test_known_codes(project: Project, slug: str, cls: str, siren: str, code: str) -> None:
    rows = {r[0]: r for r in read_index(project.reference_dir / INDEX_FILE)}
    assert rows[slug][1:2] + rows[slug][3:] == [cls, siren, code]


def test_hierarchy_in_the_loaded_store(store: EmbeddedStore) -> None:
    """Strasbourg and Mulhouse keep départements 67 and 68, in région 44."""
    assert GAZ in store.graphs()
    query = (
        PREFIXES
        + f"ASK {{ GRAPH <{GAZ}> {{"
        + """
      agc:commune-67482 igeo:sousDivisionDe agc:departement-67 .
      agc:commune-68224 igeo:sousDivisionDe agc:departement-68 .
      agc:departement-67 igeo:sousDivisionDe agc:region-44 .
      agc:departement-68 igeo:sousDivisionDe agc:region-44 .
      agc:departement-33 igeo:sousDivisionDe agc:region-75 .
      agorg:commune-67482 org:memberOf agorg:epci-246700488 .
      agorg:commune-59350 org:memberOf agorg:epci-200093201 .
      agorg:commune-68224 org:memberOf agorg:epci-200066009 .
    } }"""
    )
    assert store.query(query)


def test_rebuild_from_the_pinned_package_gives_the_committed_bytes(
    project: Project, tmp_path: Path
) -> None:
    """Regenerate from the cached package tarball (``make refdata`` puts it in .cache/npm/)."""
    from actorgraph.refdata import VERSION

    tarball = project.root / ".cache" / "npm" / f"etalab-decoupage-administratif-{VERSION}.tgz"
    if not tarball.is_file():
        unavailable(f"{tarball} not present: run `make refdata-package` once to fetch it")
    (tmp_path / "siren-collectivites.csv").write_bytes(
        (project.reference_dir / "siren-collectivites.csv").read_bytes()
    )
    result = build_refdata(tmp_path, tmp_path, tarball=tarball)
    assert result.changed
    for name in (GAZETTEER_FILE, INDEX_FILE):
        assert (tmp_path / name).read_bytes() == (project.reference_dir / name).read_bytes(), name
