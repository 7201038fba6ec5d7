"""The partnership network: read from a store, measured, written as RDF,
GEXF and GraphML, drawn; the ``network`` verb and its messages.

The measures are checked against values worked out by hand on
``fixtures/network/small.ttl`` (its banner draws it) and on a star, and the
seed's network against what its sheet says: La 27e Région at the centre of a
star of its 13 partners plus Fing, the 8 partners of La Transfo together.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, unavailable

from actorgraph.cli import main
from actorgraph.errors import ActorGraphError
from actorgraph.network import (
    Edge,
    Network,
    Node,
    files,
    find_organisation,
    measure,
    most_central,
    neighbourhood,
    picture,
    read_network,
)
from actorgraph.network import rdf as network_rdf
from actorgraph.network.graph import ORGANISATION_KINDS
from actorgraph.network.measures import Parameters
from actorgraph.project import Project, graph_iri
from actorgraph.store import EmbeddedStore

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "network" / "small.ttl"
ORG = "https://w3id.org/actorgraph/id/organisation/"
PROJECT = "https://w3id.org/actorgraph/id/project/"
L27 = ORG + "la-27e-region"

#: La 27e Région's partners on its sheet: general partners and La Transfo's.
GENERAL = {
    "metropole-europeenne-de-lille",
    "caisse-des-depots",
    "ville-de-paris",
    "departement-de-la-gironde",
    "france-urbaine",
    "ditp",
    "metz-metropole",
    "region-bretagne",
}
TRANSFO = {
    "ville-de-paris",
    "ville-de-mulhouse",
    "mulhouse-alsace-agglomeration",
    "communaute-urbaine-de-dunkerque",
    "region-occitanie",
    "metropole-europeenne-de-lille",
    "metz-metropole",
    "eurometropole-de-strasbourg",
}


def o(slug: str) -> str:
    return ORG + slug


def pair(x: str, y: str) -> tuple[str, str]:
    a, b = o(x), o(y)
    return (a, b) if a < b else (b, a)


def needs_graphviz() -> None:
    if shutil.which("sfdp") is None:
        unavailable("Graphviz (sfdp) is not installed")


# ---------------------------------------------------------------- the small network


@pytest.fixture(scope="module")
def small_store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load_file(SMALL, graph=graph_iri("data", "small"))
    roles = ROOT / "ontology" / "vocabularies" / "partner-roles.ttl"
    store.load_file(roles, graph=graph_iri("vocabulary", "partner-roles"))
    return store


@pytest.fixture(scope="module")
def small(small_store: EmbeddedStore) -> Network:
    return read_network(small_store)


def test_small_network_nodes_and_edges(small: Network) -> None:
    assert [n.slug for n in small.nodes.values()] == list("abcdefg")
    assert set(small.edges) == {
        pair("a", "b"),
        pair("a", "c"),
        pair("b", "c"),
        pair("a", "d"),
        pair("d", "e"),
        pair("e", "f"),
    }
    assert small.nodes[o("b")].kind == "Commune" and small.nodes[o("b")].name == "Ville B"


def test_each_edge_keeps_what_is_behind_it(small: Network) -> None:
    ab = small.edges[pair("a", "b")]
    assert ab.relations == {"project"}
    assert ab.projects == {PROJECT + "p1", PROJECT + "p3"}
    assert ab.weight == 2  # two shared projects
    assert ab.sources == {"https://w3id.org/actorgraph/id/source/small-sheet"}
    ac = small.edges[pair("a", "c")]
    assert ac.roles == {
        "https://w3id.org/actorgraph/ontology#leader",
        "https://w3id.org/actorgraph/id/concept/funder",
    }
    assert ac.partnerships == {"https://w3id.org/actorgraph/id/partnership/p1--c"}
    ad = small.edges[pair("a", "d")]
    assert (ad.relations, ad.projects, ad.weight) == ({"partner"}, set(), 1)
    ef = small.edges[pair("e", "f")]
    assert (ef.relations, ef.weight) == ({"incubation"}, 1)
    assert small.names[PROJECT + "p1"] == "Projet 1"
    assert small.names["https://w3id.org/actorgraph/id/concept/funder"].lower() == "funder"


def test_measures_worked_out_by_hand(small: Network) -> None:
    m = measure(small)
    degree = {n.rsplit("/", 1)[1]: v.degree for n, v in m.nodes.items()}
    assert degree == {"a": 3, "b": 2, "c": 2, "d": 2, "e": 2, "f": 1, "g": 0}
    weighted = {n.rsplit("/", 1)[1]: v.weighted_degree for n, v in m.nodes.items()}
    assert weighted == {"a": 4, "b": 3, "c": 2, "d": 2, "e": 2, "f": 1, "g": 0}
    # Pairs whose every shortest path goes through the node, over the
    # (n-1)(n-2)/2 = 15 pairs of the others (n = 7, G included):
    # A: {B,C}×{D,E,F} = 6; D: {A,B,C}×{E,F} = 6; E: {A,B,C,D}×{F} = 4.
    between = {n.rsplit("/", 1)[1]: v.betweenness for n, v in m.nodes.items()}
    assert between == pytest.approx(
        {"a": 6 / 15, "b": 0, "c": 0, "d": 6 / 15, "e": 4 / 15, "f": 0, "g": 0}
    )
    assert m.betweenness_pivots is None  # exact
    assert m.bridges == [pair("a", "d"), pair("d", "e"), pair("e", "f")]
    assert m.articulation_points == [o("a"), o("d"), o("e")]
    # Two components, numbered by size: the six linked ones, then G alone.
    assert m.components == 2
    assert {m.nodes[o(x)].component for x in "abcdef"} == {1} and m.nodes[o("g")].component == 2
    # Communities: the triangle, the path, G. Modularity by hand (m = 7,
    # strengths A4 B3 C2 | D2 E2 F1): 4/7 − (9/14)² + 2/7 − (5/14)² = 31/98.
    groups = {x: m.nodes[o(x)].community for x in "abcdefg"}
    assert groups == {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 2, "g": 3}
    assert m.communities == 3
    assert m.modularity == pytest.approx(31 / 98)
    # Linking communities: A has 2 links in its own and 1 in D's (1 − (2/3)² −
    # (1/3)² = 4/9), D one in A's and one in its own (1 − ¼ − ¼ = ½).
    linked = {x: m.nodes[o(x)].linked_communities for x in "abcdefg"}
    assert linked == {"a": 1, "b": 0, "c": 0, "d": 1, "e": 0, "f": 0, "g": 0}
    participation = {x: m.nodes[o(x)].participation for x in "abcdefg"}
    assert participation == pytest.approx(
        {"a": 4 / 9, "b": 0, "c": 0, "d": 1 / 2, "e": 0, "f": 0, "g": 0}
    )
    assert sum(v.pagerank for v in m.nodes.values()) == pytest.approx(1.0)


def test_pagerank_and_betweenness_of_a_star_by_hand() -> None:
    # A centre with k = 3 leaves, damping d: p_c = (1 + dk) / (n (1 + d)), n = k + 1,
    # and each leaf gets (1 − p_c) / k; the centre lies on all 3 paths between leaves.
    iris = [o(x) for x in ("centre", "x", "y", "z")]
    net = Network({i: Node(i) for i in iris}, {})
    for leaf in iris[1:]:
        net.edges[iris[0], leaf] = Edge(iris[0], leaf, relations={"partner"})
    m = measure(net)
    d, k, n = 0.85, 3, 4
    centre = (1 + d * k) / (n * (1 + d))
    assert m.nodes[iris[0]].pagerank == pytest.approx(centre)
    assert m.nodes[iris[1]].pagerank == pytest.approx((1 - centre) / k)
    assert m.nodes[iris[0]].betweenness == pytest.approx(1.0)
    assert m.ranking()[0] == iris[0]


def test_sampled_betweenness_beyond_the_exact_size() -> None:
    # A path of 40: exact betweenness of node i is i(39 − i) pairs over 38·39/2.
    iris = [o(f"n{i:02d}") for i in range(40)]
    net = Network({i: Node(i) for i in iris}, {})
    for x, y in itertools.pairwise(iris):
        net.edges[x, y] = Edge(x, y, relations={"partner"})
    exact = measure(net)
    assert exact.nodes[iris[20]].betweenness == pytest.approx(20 * 19 / (38 * 39 / 2))
    sampled = measure(net, Parameters(exact_betweenness=10, samples=20))
    again = measure(net, Parameters(exact_betweenness=10, samples=20))
    assert sampled.betweenness_pivots == 20
    assert [v.betweenness for v in sampled.nodes.values()] == [
        v.betweenness for v in again.nodes.values()
    ]
    # An estimate: the middle stays the most between, the ends at zero.
    assert sampled.nodes[iris[0]].betweenness == 0
    assert max(sampled.nodes, key=lambda i: sampled.nodes[i].betweenness) in iris[15:25]


def test_the_same_seed_gives_the_same_measures(small: Network) -> None:
    first, second = measure(small), measure(small)
    assert first.nodes == second.nodes and first.bridges == second.bridges


def test_no_edges_at_all() -> None:
    net = Network({o("x"): Node(o("x")), o("y"): Node(o("y"))}, {})
    m = measure(net)
    assert [v.degree for v in m.nodes.values()] == [0, 0]
    assert m.components == 2 and m.communities == 2 and m.bridges == []


def test_find_an_organisation_by_slug_curie_iri_or_name(small: Network) -> None:
    for text in ("b", "agorg:b", o("b"), f"<{o('b')}>", "Ville B", "ville b"):
        assert find_organisation(small, text) == o("b")
    with pytest.raises(ActorGraphError, match="no organisation") as caught:
        find_organisation(small, "zz")
    assert getattr(caught.value, "exit_code", None) == 2


def test_neighbourhood_and_most_central(small: Network) -> None:
    assert neighbourhood(small, o("d"), 1) == {o("a"), o("d"), o("e")}
    assert neighbourhood(small, o("d"), 2) == {o(x) for x in "abcdef"}
    assert neighbourhood(small, o("g"), 3) == {o("g")}
    m = measure(small)
    assert most_central(small, m, 1, "betweenness") == [o("a")]  # A and D tie; A has degree 3


# ---------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed(store: EmbeddedStore) -> Network:
    return read_network(store)


def test_seed_la_27e_region_at_the_centre_of_a_star(seed: Network) -> None:
    around = {n.rsplit("/", 1)[1] for n in seed.neighbours()[L27]}
    assert around == GENERAL | TRANSFO | {"fing"}
    assert len(GENERAL | TRANSFO) == 13
    fing = seed.edges[pair("fing", "la-27e-region")]
    assert fing.relations == {"incubation"}
    m = measure(seed)
    assert m.ranking()[0] == L27
    assert m.ranking("betweenness")[0] == L27
    assert m.nodes[L27].degree == 14
    assert m.articulation_points == [L27]
    # the partners only La 27e Région links to hang on one bridge each
    leaves = {
        "caisse-des-depots",
        "departement-de-la-gironde",
        "france-urbaine",
        "ditp",
        "region-bretagne",
        "fing",
    }
    assert set(m.bridges) == {pair(x, "la-27e-region") for x in leaves}


def test_seed_la_transfo_partners_are_grouped(seed: Network) -> None:
    m = measure(seed)
    assert len({m.nodes[o(x)].community for x in TRANSFO}) == 1
    for x in TRANSFO:
        for y in TRANSFO - {x}:
            assert PROJECT + "la-transfo" in seed.edges[pair(x, y)].projects
    # Paris, Lille and Metz are also general partners: their link to La 27e
    # Région weighs 2 (La Transfo, and the partnership outside projects).
    assert seed.edges[pair("ville-de-paris", "la-27e-region")].weight == 2
    assert seed.edges[pair("ville-de-mulhouse", "la-27e-region")].weight == 1


def test_seed_territories_from_the_gazetteer(seed: Network) -> None:
    territory = {n.slug: n.territory for n in seed.nodes.values()}
    assert territory["ville-de-paris"] == "Paris"
    assert territory["departement-de-la-gironde"] == "Gironde"
    assert territory["region-bretagne"] == "Bretagne"
    # an EPCI: the département of most of its communes
    assert territory["metropole-europeenne-de-lille"] == "Nord"
    assert territory["eurometropole-de-strasbourg"] == "Bas-Rhin"
    assert territory["la-27e-region"] == ""


def test_every_kind_has_a_colour_and_a_legend_line() -> None:
    assert set(picture.PALETTE) == set(picture.LEGEND_ORDER) == set(ORGANISATION_KINDS)


# ---------------------------------------------------------------- RDF


def test_rdf_of_the_measures_with_provenance(seed: Network) -> None:
    m = measure(seed)
    data = network_rdf.turtle(seed, m)
    store = EmbeddedStore()
    store.load_bytes(data, "ttl", graph=network_rdf.GRAPH_IRI)
    assert network_rdf.GRAPH_IRI == "https://w3id.org/actorgraph/graph/analytics/network"
    rows = store.select(
        """PREFIX ag: <https://w3id.org/actorgraph/ontology#>
        SELECT ?d ?w ?b ?p ?c ?a WHERE {
          <https://w3id.org/actorgraph/id/organisation/la-27e-region> ag:degree ?d ;
             ag:weightedDegree ?w ; ag:betweenness ?b ; ag:pageRank ?p ;
             ag:networkCommunity ?c ; ag:articulationPoint ?a }"""
    )
    assert len(rows) == 1
    row = rows[0]
    assert (int(row["d"].value), int(row["w"].value), row["a"].value) == (14, 17, "true")
    assert float(row["b"].value) == pytest.approx(m.nodes[L27].betweenness, abs=1e-9)
    prov = store.select(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX ag: <https://w3id.org/actorgraph/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?source ?creator ?when ?params ?used WHERE {
          <https://w3id.org/actorgraph/graph/analytics/network> prov:wasDerivedFrom ?source ;
             prov:wasGeneratedBy ?run .
          ?source a ag:Source ; dcterms:creator ?creator .
          ?run prov:endedAtTime ?when ; ag:parameters ?params ; prov:used ?used }"""
    )
    assert len(prov) == 1
    assert "igraph" in prov[0]["creator"].value
    assert prov[0]["used"].value == "https://w3id.org/actorgraph/graph/la-27e-region"
    params = json.loads(prov[0]["params"].value)
    assert params["seed"] == 27 and params["betweenness"] == "exact"
    bridges = store.select(
        "SELECT ?a ?b WHERE { ?a <https://w3id.org/actorgraph/ontology#bridgeWith> ?b }"
    )
    assert len(bridges) == 6


def test_rdf_is_deterministic_and_rewritten_only_when_measures_change(
    small: Network, tmp_path: Path
) -> None:
    m = measure(small)
    assert (
        network_rdf.turtle(small, m).split(b"prov:endedAtTime")[0]
        == network_rdf.turtle(small, measure(small)).split(b"prov:endedAtTime")[0]
    )
    project = Project(tmp_path)
    path, changed = network_rdf.write(project, small, m)
    assert changed and path == tmp_path / "data" / "analytics" / "network.ttl"
    before = path.read_bytes()
    assert network_rdf.write(project, small, measure(small)) == (path, False)
    assert path.read_bytes() == before
    other = measure(small, Parameters(damping=0.5))
    assert network_rdf.write(project, small, other)[1] is True


def test_the_committed_analytics_file_is_up_to_date(project: Project, store: EmbeddedStore) -> None:
    """data/analytics/network.ttl is what `actorgraph network --rdf` writes from
    the project's data (all but its time): rerun the command after a data change."""
    committed = (project.analytics_dir / "network.ttl").read_bytes()
    fresh = network_rdf.turtle(read_network(store), measure(read_network(store)))
    drop = re.compile(rb'prov:endedAtTime "[^"]*"')
    assert drop.sub(b"", committed) == drop.sub(b"", fresh), (
        "run `actorgraph network --rdf` and commit data/analytics/network.ttl"
    )


def test_the_analytics_graph_is_a_project_graph(project: Project) -> None:
    sources = {s.graph: s.group for s in project.sources()}
    assert sources[network_rdf.GRAPH_IRI] == "analytics"


# ---------------------------------------------------------------- GEXF and GraphML


def test_graphml_opens_in_igraph(small: Network, tmp_path: Path) -> None:
    import igraph

    path = tmp_path / "small.graphml"
    files.write(path, small, measure(small))
    g = igraph.Graph.Read_GraphML(str(path))
    assert (g.vcount(), g.ecount()) == (7, 6)
    assert not g.is_directed()
    by_id = {v["id"]: v for v in g.vs}
    assert by_id[o("a")]["label"] == "Atelier A"
    assert by_id[o("a")]["degree"] == 3 and by_id[o("a")]["articulation_point"]
    assert sorted(g.es["weight"]) == [1, 1, 1, 1, 1, 2]
    projects = {e["projects"] for e in g.es}
    assert "Projet 1; Projet 3" in projects


def test_gexf_has_nodes_edges_colours_and_attributes(small: Network, tmp_path: Path) -> None:
    path = tmp_path / "small.gexf"
    files.write(path, small, measure(small))
    ns = {"g": files.GEXF_NS, "viz": files.VIZ_NS}
    root = ET.parse(path).getroot()
    assert root.get("version") == "1.3"
    nodes = root.findall("g:graph/g:nodes/g:node", ns)
    edges = root.findall("g:graph/g:edges/g:edge", ns)
    assert (len(nodes), len(edges)) == (7, 6)
    a = next(n for n in nodes if n.get("id") == o("a"))
    assert a.get("label") == "Atelier A"
    assert a.find("viz:color", ns) is not None and a.find("viz:size", ns) is not None
    values = {v.get("for"): v.get("value") for v in a.findall("g:attvalues/g:attvalue", ns)}
    assert values["kind"] == "Association" and values["degree"] == "3"
    assert {e.get("weight") for e in edges} == {"1", "2"}
    assert path.read_bytes() == files.gexf(small, measure(small))  # same bytes every time


def test_unknown_graph_file_extension(small: Network, tmp_path: Path) -> None:
    with pytest.raises(ActorGraphError, match=r"expected \.gexf or \.graphml"):
        files.write(tmp_path / "x.dot", small, measure(small))


# ---------------------------------------------------------------- the picture


def svg_nodes(path: Path) -> dict[str, list[str]]:
    """Each node's slug (its ``<title>``) and the texts drawn with it."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.parse(path).getroot()
    found = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("class") == "node":
            title = g.find("s:title", ns)
            assert title is not None
            found[title.text or ""] = [
                t.text or "" for t in g.iter("{http://www.w3.org/2000/svg}text")
            ]
    return found


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_picture_of_the_seed_as_a_person_sees_it(seed: Network, tmp_path: Path) -> None:
    needs_graphviz()
    m = measure(seed)
    svg, png = tmp_path / "seed.svg", tmp_path / "seed.png"
    picture.draw(picture.dot(seed, m, labels=20), [svg, png])
    nodes = svg_nodes(svg)
    assert len(nodes) == 15
    assert set(nodes) == {n.slug for n in seed.nodes.values()}
    assert nodes["la-27e-region"] == ["La 27e Région"]
    # Fing's preferred name is the full one its external source gives, cut to fit.
    assert nodes["fing"] == ["Fondation Internet Nouvelle Gén…"]
    text = svg.read_text(encoding="utf-8")
    for legend in (
        "Partnership network",
        "15 organisations, 42 links",
        "association",
        "commune",
        "size: PageRank",
    ):
        assert legend in text, legend
    assert 'xlink:href="https://w3id.org/actorgraph/id/organisation/la-27e-region"' in text
    width, height = png_size(png)
    assert width > 400 and height > 300


def test_picture_in_french_with_few_labels(seed: Network, tmp_path: Path) -> None:
    needs_graphviz()
    svg = tmp_path / "fr.svg"
    picture.draw(
        picture.dot(seed, measure(seed), labels=3, lang="fr", size_by="betweenness"), [svg]
    )
    nodes = svg_nodes(svg)
    named = [slug for slug, texts in nodes.items() if texts]
    assert len(named) == 3 and "la-27e-region" in named
    text = svg.read_text(encoding="utf-8")
    assert "Réseau des partenariats" in text and "intermédiarité" in text
    assert "service de l&#39;État" in text and "communauté urbaine" in text


def test_the_readme_shows_the_seed_picture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/network-seed.svg" in readme
    nodes = svg_nodes(ROOT / "docs" / "network-seed.svg")
    assert len(nodes) == 15 and nodes["la-27e-region"] == ["La 27e Région"]
    assert png_size(ROOT / "docs" / "network-seed.png")[0] > 400


# ---------------------------------------------------------------- the verb


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["-C", str(root), "network", *args])


def small_project(tmp_path: Path, data: bool = True) -> Path:
    root = tmp_path / "project"
    (root / "data" / "graph").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", root / "ontology")
    if data:
        shutil.copy(SMALL, root / "data" / "graph" / "small.ttl")
    return root


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_project(tmp_path_factory.mktemp("network"))


def test_verb_prints_csv_then_json(small_root: Path) -> None:
    result = run(small_root, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("iri,slug,name,kind,territory,degree")
    assert lines[1].startswith(o("a") + ",a,Atelier A,association")
    result = run(small_root, "--format", "json")
    data = json.loads(result.stdout)
    assert data["network"]["organisations"] == 7 and data["network"]["bridges"] == 3
    ab = next(e for e in data["links"] if {e["source"], e["target"]} == {o("a"), o("b")})
    assert ab["weight"] == 2 and [p["name"] for p in ab["projects"]] == ["Projet 1", "Projet 3"]
    assert ab["sources"] == ["https://w3id.org/actorgraph/id/source/small-sheet"]


def test_verb_table_ego_top_and_files(small_root: Path, tmp_path: Path) -> None:
    outputs = [tmp_path / f"ego.{ext}" for ext in ("gexf", "graphml")]
    result = run(small_root, "--ego", "d", "--format", "table", *[f"-o{p}" for p in outputs])
    assert result.exit_code == 0, result.output
    assert "Métropole D" in result.stdout and "Service E" in result.stdout
    assert "Ville B" not in result.stdout  # two links away
    assert "3 shown" in result.stdout
    assert all(p.stat().st_size > 0 for p in outputs)
    result = run(small_root, "--top", "2", "--format", "json", "--by", "betweenness")
    shown = [row["slug"] for row in json.loads(result.stdout)["organisations"]]
    assert shown == ["a", "d"]


def test_verb_pictures(small_root: Path, tmp_path: Path) -> None:
    needs_graphviz()
    svg, png = tmp_path / "n.svg", tmp_path / "n.png"
    result = run(small_root, "-q", "-o", str(svg), "-o", str(png), "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(svg_nodes(svg)) == 7 and png_size(png)[0] > 100


def test_verb_writes_the_rdf_into_the_project(small_root: Path) -> None:
    result = run(small_root, "--rdf", "-q")
    assert result.exit_code == 0, result.output
    path = small_root / "data" / "analytics" / "network.ttl"
    assert "wrote data/analytics/network.ttl" in result.stderr
    assert run(small_root, "--rdf", "-q").stderr.count("unchanged") == 1
    # The project store loads it, so the catalogue answers from it.
    top = CliRunner().invoke(
        main,
        ["-C", str(small_root), "query", "--text",
         "SELECT ?o WHERE { ?o <https://w3id.org/actorgraph/ontology#degree> 3 }", "-f", "csv"],
    )  # fmt: skip
    assert top.exit_code == 0, top.output
    assert o("a") in top.stdout
    assert path.read_text(encoding="utf-8").startswith("# actorgraph — measures")


def test_unknown_ego_names_the_closest_slugs(project: Project) -> None:
    result = run(project.root, "--ego", "la-27-region")
    assert result.exit_code == 2
    assert "no organisation 'la-27-region'" in result.stderr
    assert "closest: la-27e-region" in result.stderr
    assert "Traceback" not in result.output


def test_an_organisation_with_no_partners(small_root: Path) -> None:
    result = run(small_root, "--ego", "g", "--format", "csv")
    assert result.exit_code == 0
    assert "Association G has no partners in the network" in result.stderr
    assert result.stdout.count("\n") == 2  # the header and G


def test_an_empty_graph_is_a_clear_message(tmp_path: Path) -> None:
    result = run(small_project(tmp_path, data=False))
    assert result.exit_code == 2
    assert "the partnership network is empty" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_output_extension_is_refused_before_any_work(small_root: Path) -> None:
    result = run(small_root, "-o", "net.pdf")
    assert result.exit_code == 2
    assert "unknown extension .pdf" in result.stderr


def test_no_graphviz_is_a_clear_message(
    small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(picture.shutil, "which", lambda name: None)
    result = run(small_root, "-o", str(tmp_path / "x.svg"))
    assert result.exit_code == 2
    assert "Graphviz's sfdp is not installed" in result.stderr
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.server
def test_a_remote_store_gives_the_same_network(project: Project, seed_server: Any) -> None:
    local = json.loads(run(project.root, "--format", "json").stdout)
    remote = run(project.root, "--format", "json", "--store", seed_server.query_url)
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == local


def test_an_ego_with_nothing_to_make_a_slug_of_is_not_found() -> None:
    result = CliRunner().invoke(main, ["-C", str(ROOT), "network", "--ego", "!!"])
    assert result.exit_code == 2 and "no organisation '!!'" in result.stderr
    assert "Traceback" not in result.output
