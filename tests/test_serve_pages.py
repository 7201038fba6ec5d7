"""The pages people read: organisation cards, search, the question catalogue,
territories, the ontology, the network — in French and English, escaped,
accessible, without JavaScript (in-process, through the ``client`` fixture)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from conftest import unavailable
from htmldoc import Node, parse
from starlette.testclient import TestClient

from actorgraph.serve import Settings, Site, create_app
from actorgraph.store import EmbeddedStore

ORG = "https://w3id.org/actorgraph/id/organisation/"
LA27 = "/id/organisation/la-27e-region"
HTML = {"accept": "text/html"}

PARTNERS = """
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
  { ?l ag:partnerOf ?x ; ag:partner ?p } UNION
  { ?proj ag:leader ?x . ?l ag:inProject ?proj ; ag:partner ?p } UNION
  { ?l ag:partner ?x ; ag:partnerOf ?p } UNION
  { ?l ag:partner ?x ; ag:inProject ?proj . ?proj ag:leader ?p } }"""
RESOURCES = """
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { { ?r ag:relatedActor ?x } UNION { ?r dcterms:publisher ?x } }"""


@pytest.fixture(autouse=True)
def no_language_cookie(client: TestClient) -> Iterator[None]:
    """The session's client forgets the language a test chose with ``?lang=``."""
    yield
    client.cookies.clear()


def page(client: TestClient, path: str, **headers: str) -> tuple[int, Node, str]:
    response = client.get(path, headers={**HTML, **headers})
    return response.status_code, parse(response.text), response.text


def count(store: EmbeddedStore, text: str, iri: str) -> int:
    return int(store.select(text.replace("?x", f"<{iri}>"))[0]["n"].value)


# ---------------------------------------------------------------- the organisation card


def test_la_27e_region_shows_its_13_partners_and_46_resources(
    client: TestClient, store: EmbeddedStore
) -> None:
    # the figures the data holds
    assert count(store, PARTNERS, ORG + "la-27e-region") == 13
    assert count(store, RESOURCES, ORG + "la-27e-region") == 46
    status, doc, _ = page(client, LA27 + "?lang=en")
    assert status == 200
    partners = doc.find_all("li", cls="partner")
    # partners grouped by project and role: the Transfo's 8, then 8 outside any project
    assert len(partners) == 16
    assert len({li.find("a")["href"] for li in partners}) == 13
    groups = [h.text() for h in doc.find("section", id="partners").find_all("h3")]
    assert groups == ["Project Transfo", "Outside any named project"]
    roles = [h.text() for h in doc.find("section", id="partners").find_all("h4")]
    assert roles == ["Project partner (8)", "General partner (8)"]
    resources = doc.find_all("tr", cls="resource")
    assert len(resources) == 46
    # each with its kind and themes where the data gives them, in the sheet's order
    first = resources[0]
    assert first.find("td").text() == "1"
    assert "Aventures participatives" in first.find("a", cls="resource-link").text()
    assert first.find("span", cls="truncated") is not None
    assert [a.text() for a in first.find_all("a") if "/id/concept/" in a["href"]] == [
        "Local elected officials",
        "Citizen participation",
    ]
    podcast = resources[2]
    assert podcast.find("span", cls="truncated") is None
    assert "Podcast" in podcast.text()
    truncated = store.select(
        "PREFIX ag: <https://w3id.org/actorgraph/ontology#> SELECT (COUNT(*) AS ?n) "
        "WHERE { ?r ag:relatedActor <" + ORG + "la-27e-region> ; ag:titleTruncated true }"
    )
    marked = [tr for tr in resources if tr.find("span", cls="truncated") is not None]
    assert len(marked) == int(truncated[0]["n"].value)


def test_organisation_card_names_kinds_sources_and_validation(client: TestClient) -> None:
    _, doc, _ = page(client, LA27 + "?lang=en")
    assert doc.find("h1").text() == "La 27e Région"
    identity = doc.find("section", id="identity").text()
    for name in ("27ème Région", "La 27ème Région", "La 27ème"):
        assert name in identity
    # two sources disagree on the founding year: both are shown with their source
    assert "2011" in identity and "2012" in identity
    sources = doc.find("section", id="sources")
    files = sources.text()
    assert "000_e9ca84c8084b6261.txt" in files and "2021-02-02" in files
    assert "54e57f12e83e" in files  # the sheet's hash
    remarks = doc.find("section", id="validation").find_all("li", cls="remark")
    assert remarks and any("identifier" in li.text() for li in remarks)
    assert doc.find("a", href="mailto:nguiraud@la27eregion.fr") is not None


def test_identifiers_link_to_the_public_registers(client: TestClient) -> None:
    _, doc, _ = page(client, "/id/organisation/ville-de-paris")
    hrefs = {a["href"] for a in doc.find("section", id="identifiers").find_all("a", cls="register")}
    assert "https://annuaire-entreprises.data.gouv.fr/entreprise/217500016" in hrefs
    assert "https://www.insee.fr/fr/statistiques/2011101?geo=COM-75056" in hrefs
    assert "https://www.wikidata.org/wiki/Q90" in hrefs
    # the gazetteer's authority it is the same as, and the territory that one governs
    territory = doc.find("section", id="territory")
    links = {a["href"] for a in territory.find_all("a")}
    assert "http://testserver/id/organisation/commune-75056" in links
    assert "http://testserver/id/concept/commune-75056" in links


def test_json_ld_block_parses_and_names_the_organisation(client: TestClient) -> None:
    _, doc, _ = page(client, LA27)
    scripts = doc.find_all("script")
    assert [s["type"] for s in scripts] == ["application/ld+json"]
    data = json.loads(scripts[0].raw_text())
    assert data["@id"] == ORG + "la-27e-region"
    assert data["name"] == "La 27e Région"
    assert data["@type"] == "NGO"
    assert "La 27ème Région" in data["alternateName"]
    assert len(data["knows"]) == 13


def test_alternate_links_for_each_rdf_format_resolve(client: TestClient) -> None:
    _, doc, _ = page(client, LA27)
    alternates = {
        link["type"]: link["href"]
        for link in doc.find_all("link", rel="alternate")
        if link.get("type")
    }
    assert set(alternates) == {"text/turtle", "application/ld+json", "application/n-triples"}
    assert alternates["text/turtle"] == "http://testserver" + LA27 + ".ttl"
    for media, href in alternates.items():
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.headers["content-type"].startswith(media)


def test_french_and_english_pages_differ_and_say_their_language(client: TestClient) -> None:
    fr = client.get(LA27 + "?lang=fr", headers=HTML)
    en = client.get(LA27 + "?lang=en", headers=HTML)
    doc_fr, doc_en = parse(fr.text), parse(en.text)
    assert doc_fr.find("html")["lang"] == "fr" and fr.headers["content-language"] == "fr"
    assert doc_en.find("html")["lang"] == "en" and en.headers["content-language"] == "en"
    assert doc_fr.find("h2", id="h-partners").text() == "Partenaires"
    assert doc_en.find("h2", id="h-partners").text() == "Partners"
    assert fr.text != en.text
    # the switch links to the other language, keeping the page
    switch = doc_fr.find("a", cls="lang-switch")
    assert switch["hreflang"] == "en" and switch["href"].endswith(LA27 + "?lang=en")
    # Accept-Language when nothing else says, and the choice remembered by a cookie
    fresh = TestClient(client.app, base_url="http://testserver")
    assert (
        parse(fresh.get("/", headers={"accept-language": "en-GB,en;q=0.8"}).text).find("html")[
            "lang"
        ]
        == "en"
    )
    assert (
        parse(fresh.get("/", headers={"accept-language": "de"}).text).find("html")["lang"] == "fr"
    )
    chosen = fresh.get("/search?lang=en", headers={"accept-language": "fr"})
    assert "lang=en" in chosen.headers["set-cookie"]
    assert (
        parse(fresh.get("/", headers={"accept-language": "fr"}).text).find("html")["lang"] == "en"
    )


# ---------------------------------------------------------------- escaping


HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_client() -> Iterator[TestClient]:
    """A site of its own whose organisation, partner and resource carry hostile names."""
    store = EmbeddedStore()
    store.load_bytes(
        f"""
        @prefix ag: <https://w3id.org/actorgraph/ontology#> .
        @prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
        @prefix agres: <https://w3id.org/actorgraph/id/resource/> .
        @prefix agpart: <https://w3id.org/actorgraph/id/partnership/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix schema: <https://schema.org/> .
        agorg:evil a ag:Association ; skos:prefLabel "{HOSTILE}"@fr ;
            skos:altLabel "</script><!-- \\" onmouseover=x"@fr ;
            schema:description "<img src=x onerror=alert(2)>"@en .
        agorg:other a ag:Organisation ; skos:prefLabel "<b>bold</b> & co"@fr .
        agpart:evil--other a ag:Partnership ; ag:partnerOf agorg:evil ; ag:partner agorg:other ;
            ag:partnerName "<i>x</i>"@fr .
        agres:evil a ag:Resource ; dcterms:title "<svg onload=alert(3)>..."@fr ;
            ag:titleTruncated true ; ag:relatedActor agorg:evil .
        """.encode(),
        "ttl",
        graph="https://w3id.org/actorgraph/graph/hostile",
    )
    site = Site(store=store, project=None, settings=Settings(base_url="http://testserver/"))
    with TestClient(create_app(site), base_url="http://testserver") as http:
        yield http


def test_hostile_names_are_shown_as_text(hostile_client: TestClient) -> None:
    for path in (
        "/id/organisation/evil",
        "/id/organisation/other",
        "/id/resource/evil",
        "/id/partnership/evil--other",
        "/search?q=script",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/",
    ):
        response = hostile_client.get(path, headers=HTML)
        assert response.status_code == 200, path
        text = response.text
        for raw in (HOSTILE, "<img src=x", "<svg onload", "<b>bold", "<i>x</i>", "--><"):
            assert raw not in text, (path, raw)
    text = hostile_client.get("/id/organisation/evil", headers=HTML).text
    doc = parse(text)
    assert doc.find("h1").text() == HOSTILE
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # the JSON-LD block holds the names, but no "<" that could end it
    (script,) = doc.find_all("script")
    assert script["type"] == "application/ld+json"
    block = script.raw_text()
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert data["name"] == HOSTILE
    assert '</script><!-- " onmouseover=x' in data["alternateName"]
    # the search box echoes the query as text
    searched = hostile_client.get("/search?q=%3Cscript%3E", headers=HTML).text
    assert parse(searched).find("input", id="q")["value"] == "<script>"


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("q", ["la 27e region", "LA 27E RÉGION", "La 27ème", "27e région"])
def test_search_ignores_case_and_accents(client: TestClient, q: str) -> None:
    status, doc, _ = page(client, "/search?" + f"q={q}")
    assert status == 200
    results = doc.find_all("li", cls="result")
    assert results, q
    assert results[0].find("a")["href"] == "http://testserver" + LA27
    assert "result-organisation" in results[0].classes


def test_search_finds_territories_projects_and_concepts(client: TestClient) -> None:
    _, doc, _ = page(client, "/search?q=mulhouse&kind=territory")
    hrefs = [li.find("a")["href"] for li in doc.find_all("li", cls="result")]
    assert hrefs == ["http://testserver/id/concept/commune-68224"]
    _, doc, _ = page(client, "/search?q=transfo")
    assert any(
        li.find("a")["href"].endswith("/id/project/la-transfo")
        for li in doc.find_all("li", cls="result")
    )
    _, doc, _ = page(client, "/search?q=democratie+participative")
    assert any("/id/concept/" in li.find("a")["href"] for li in doc.find_all("li", cls="result"))
    _, doc, _ = page(client, "/search?q=zzzqqq")
    assert not doc.find_all("li", cls="result")


# ---------------------------------------------------------------- the question catalogue


def test_catalogue_lists_the_queries(client: TestClient, project) -> None:  # type: ignore[no-untyped-def]
    _, doc, _ = page(client, "/queries")
    names = [li.find("code").text() for li in doc.find_all("li", cls="query")]
    assert sorted(names) == sorted(p.stem for p in project.queries_dir.glob("*.rq"))


def test_catalogue_form_runs_a_query_and_its_csv_download_parses(client: TestClient) -> None:
    status, doc, _ = page(client, "/queries/partners-of?lang=en")
    assert status == 200
    form = doc.find("form", cls="query-form")
    inputs = form.find_all("input")
    labels = {label["for"] for label in form.find_all("label")}
    assert [i["name"] for i in inputs] == ["p.org", "p.lang"]
    assert all(i["id"] in labels for i in inputs)
    assert doc.find("table", cls="results") is None  # nothing run yet

    status, doc, _ = page(client, "/queries/partners-of?p.org=la-27e-region&p.lang=fr&run=1")
    assert status == 200
    rows = doc.find("table", cls="results").find("tbody").find_all("tr")
    assert len(rows) == 16
    downloads = {a.text(): a["href"] for a in doc.find_all("a", cls="download")}
    assert set(downloads) == {"CSV", "JSON"}
    assert "p.org=la-27e-region" in downloads["CSV"] and "p.lang=fr" in downloads["CSV"]

    response = client.get(downloads["CSV"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 16
    assert {r["partner"] for r in table} >= {ORG + "ville-de-paris", ORG + "region-bretagne"}
    assert "Partenaire de projet" in {r["roleLabel"] for r in table}

    answer = client.get(downloads["JSON"]).json()
    assert len(answer["results"]["bindings"]) == 16


def test_catalogue_errors_are_shown_on_the_page_with_400(client: TestClient) -> None:
    status, doc, _ = page(client, "/queries/partners-of?run=1&lang=en")
    assert status == 400
    assert "Missing value for ?org." in [li.text() for li in doc.find_all("li", cls="error")]
    assert doc.find("input", id="p-org")["aria-invalid"] == "true"

    status, doc, _ = page(client, "/queries/partners-of?p.org=la-27e-regio&run=1")
    assert status == 400
    errors = " ".join(li.text() for li in doc.find_all("li", cls="error"))
    assert "no organisation agorg:la-27e-regio" in errors and "la-27e-region" in errors

    status, doc, _ = page(client, "/queries/co-partners?p.org=ville-de-paris&p.min=many&run=1")
    assert status == 400
    assert "expected an integer" in doc.find("div", cls="errors").text()

    # a hostile value comes back as text, in the message and in the field
    status, doc, text = page(
        client, "/queries/partners-of?p.org=%3Cscript%3Ealert(1)%3C/script%3E&run=1"
    )
    assert status == 400 and HOSTILE not in text
    assert doc.find("input", id="p-org")["value"] == HOSTILE

    assert client.get("/queries/partners-of.csv").status_code == 400
    assert client.get("/queries/no-such-query", headers=HTML).status_code == 404
    assert client.get("/queries/..%2F..%2Fpyproject.toml", headers=HTML).status_code == 404


# ---------------------------------------------------------------- territories


def test_territory_page_of_a_commune_shows_the_actors_linked_to_it(client: TestClient) -> None:
    status, doc, _ = page(client, "/id/concept/commune-68224?lang=en")
    assert status == 200
    assert doc.find("h1").text() == "Mulhouse"
    actors = {li.find("a")["href"] for li in doc.find_all("li", cls="actor")}
    assert "http://testserver/id/organisation/ville-de-mulhouse" in actors
    # its EPCI's actor too
    assert "http://testserver/id/organisation/mulhouse-alsace-agglomeration" in actors
    # up to the département and the région, and to its authority and EPCI
    crumbs = [a["href"] for a in doc.find("nav", cls="breadcrumb").find_all("a")]
    assert crumbs == [
        "http://testserver/id/concept/region-44",
        "http://testserver/id/concept/departement-68",
    ]
    identity = {a["href"] for a in doc.find("section", id="identity").find_all("a")}
    assert "http://testserver/id/organisation/commune-68224" in identity
    assert "http://testserver/id/organisation/epci-200066009" in identity
    # and down from the département
    _, dep, _ = page(client, "/id/concept/departement-68")
    subdivisions = {a["href"] for a in dep.find("section", id="subdivisions").find_all("a")}
    assert "http://testserver/id/concept/commune-68224" in subdivisions
    assert "http://testserver/id/organisation/ville-de-mulhouse" in {
        li.find("a")["href"] for li in dep.find_all("li", cls="actor")
    }


def test_territory_by_insee_code(client: TestClient) -> None:
    response = client.get("/territory/68224", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/id/concept/commune-68224"
    # a région and a département share the code 76: a choice
    _, doc, _ = page(client, "/territory/76")
    hrefs = {a["href"] for a in doc.find("main").find_all("a")}
    assert {
        "http://testserver/id/concept/region-76",
        "http://testserver/id/concept/departement-76",
    } <= hrefs
    assert client.get("/territory/00000", headers=HTML).status_code == 404
    _, doc, _ = page(client, "/territory")
    assert len(doc.find_all("li", cls="region")) >= 18


# ---------------------------------------------------------------- ontology, vocabularies, network


def test_ontology_documentation_lists_every_class_and_property(
    client: TestClient, store: EmbeddedStore
) -> None:
    terms = store.select(
        "SELECT ?t ?k WHERE { GRAPH <https://w3id.org/actorgraph/graph/ontology> { ?t a ?k } "
        'FILTER (STRSTARTS(STR(?t), "https://w3id.org/actorgraph/ontology#")) }',
        union=False,
    )
    classes = {r["t"].value.split("#")[1] for r in terms if r["k"].value.endswith("#Class")}
    status, doc, _ = page(client, "/ontology?lang=en")
    assert status == 200
    shown = {s["id"] for s in doc.find("section", id="classes").find_all("section", cls="term")}
    assert shown == classes and "Organisation" in shown
    properties = {
        s["id"] for s in doc.find("section", id="properties").find_all("section", cls="term")
    }
    assert {"partner", "siren", "titleTruncated"} <= properties
    association = doc.find("section", id="Association").text()
    assert "association (non-profit)" in association and "schema:NGO" in association
    assert doc.find("section", id="Organisation").find("a", href="#Association") is not None


def test_vocabulary_and_concept_pages(client: TestClient) -> None:
    _, doc, _ = page(client, "/id/concept/themes?lang=en")
    tree = {a["href"] for a in doc.find("section", id="concepts").find_all("a")}
    assert "http://testserver/id/concept/citizen-participation" in tree
    _, doc, _ = page(client, "/id/concept/citizen-participation?lang=en")
    assert doc.find("h1").text() == "Citizen participation"
    used = doc.find("section", id="used").find_all("a")
    assert len(used) >= 8


def test_network_page_and_pictures(client: TestClient) -> None:
    status, doc, _ = page(client, "/network")
    assert status == 200
    assert len(doc.find_all("tr", cls="node")) == 15
    if shutil.which("sfdp") is None:
        unavailable("Graphviz (sfdp) is not installed")
    svg = client.get("/network.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "http://testserver/id/organisation/la-27e-region" in svg.text
    assert "w3id.org/actorgraph/id/" not in svg.text
    ego = client.get("/network/la-27e-region.svg")
    assert ego.status_code == 200 and "ville-de-paris" in ego.text
    assert client.get("/network/nobody.svg").status_code == 404


def test_home_page_counts_what_the_graph_holds(client: TestClient) -> None:
    status, doc, _ = page(client, "/?lang=en")
    assert status == 200
    counts = doc.find("ul", cls="counts").text()
    assert "46 resources" in counts and "16 partnerships" in counts
    assert "http://testserver" + LA27 in {a["href"] for a in doc.find_all("a")}


def test_not_found_page(client: TestClient) -> None:
    response = client.get(
        "/id/organisation/nobody-at-all", headers={**HTML, "accept-language": "en"}
    )
    assert response.status_code == 404
    doc = parse(response.text)
    assert doc.find("html")["lang"] == "en" and doc.find("h1").text() == "Not found"


# ---------------------------------------------------------------- accessibility and CSP


PAGES = [
    "/",
    "/search?q=paris",
    "/queries",
    "/queries/partners-of?p.org=la-27e-region&run=1",
    "/queries/partners-of?run=1",
    "/network",
    "/territory",
    LA27,
    "/id/organisation/ville-de-paris",
    "/id/organisation/epci-200066009",
    "/id/project/la-transfo",
    "/id/resource/aventures-participatives-des-elu-es",
    "/id/concept/themes",
    "/id/concept/citizen-participation",
    "/id/concept/commune-68224",
    "/id/concept/territories",
    "/id/source/la-27e-region-sheet",
    "/graph/la-27e-region",
    "/ontology",
    "/id/organisation/nobody-at-all",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_are_accessible_and_need_no_script(client: TestClient, path: str, lang: str) -> None:
    response = client.get(path, headers={**HTML, "accept-language": lang})
    doc = parse(response.text)
    assert doc.find("html")["lang"] == lang
    assert doc.find("title").text()
    # a skip link to the main content
    skip = doc.find("a", cls="skip")
    assert skip is not None and skip["href"] == "#content" and doc.find("main", id="content")
    # one h1, and headings that never skip a level
    levels = [int(n.tag[1]) for n in doc.iter() if n.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels.count(1) == 1 and levels[0] == 1, levels
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    # every form field has a label
    labels = {label["for"] for label in doc.find_all("label")}
    for field in doc.find_all("input") + doc.find_all("select"):
        if field.get("type") not in ("hidden", "submit"):
            assert field.get("id") in labels, field
    # nothing a Content-Security-Policy of default-src 'self' would refuse
    assert not [n for n in doc.iter() if "style" in n.attrs], path
    assert not [n for n in doc.iter() if any(a.startswith("on") for a in n.attrs)], path
    assert all(s.get("type") == "application/ld+json" for s in doc.find_all("script")), path
    assert not doc.find_all("style")
    for node in doc.find_all("link") + doc.find_all("img"):
        url = node.get("href") or node.get("src") or ""
        if node.tag == "img" or node.get("rel") in ("stylesheet", "icon"):
            assert urlsplit(url).netloc == "testserver", url


def test_static_files_are_served(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "url(" not in css.text and "@import" not in css.text
    assert client.get("/static/favicon.svg").status_code == 200


def test_render_entity_of_an_iri_without_statements_is_a_404(site: Site) -> None:
    from starlette.requests import Request

    from actorgraph.serve.pages import render_entity

    request = Request(
        {"type": "http", "method": "GET", "path": "/id/x", "headers": [], "query_string": b""}
    )
    response = render_entity(request, site, ORG + "nothing-here", [])
    assert response.status_code == 404
    quads = [
        ox.Quad(
            ox.NamedNode(ORG + "x"),
            ox.NamedNode("http://e/p"),
            ox.Literal("<b>"),
            ox.NamedNode("http://e/g"),
        )
    ]
    response = render_entity(request, site, ORG + "x", quads)
    assert response.status_code == 200 and b"&lt;b&gt;" in response.body


def test_hostile_names_in_the_network_picture_are_text(hostile_client: TestClient) -> None:
    if shutil.which("sfdp") is None:
        unavailable("Graphviz (sfdp) is not installed")
    for path in ("/network.svg", "/network/evil.svg"):
        response = hostile_client.get(path)
        assert response.status_code == 200, path
        assert "<script" not in response.text and "<b>" not in response.text
        assert "&lt;script&gt;" in response.text


def test_a_page_of_thousands_of_statements_lists_the_first_ones_and_says_so() -> None:
    """A source of a large sheet is the object of thousands of statements:
    the page lists the first GENERIC_ROWS, its RDF version all of them."""
    from actorgraph.serve.entities import GENERIC_ROWS
    from actorgraph.store import EmbeddedStore

    source = "https://w3id.org/actorgraph/id/source/big-sheet"
    lines = [
        f"<https://w3id.org/actorgraph/id/organisation/org-{i}> "
        f"<http://purl.org/dc/terms/source> <{source}> ."
        for i in range(GENERIC_ROWS + 100)
    ]
    store = EmbeddedStore()
    store.load_bytes("\n".join(lines).encode(), "nt", graph="https://w3id.org/actorgraph/graph/big")
    site = Site(store, None, Settings(base_url="http://testserver/"))
    with TestClient(create_app(site), base_url="http://testserver") as http:
        page = http.get(
            "/id/source/big-sheet", headers={"Accept": "text/html", "Accept-Language": "en"}
        )
        assert page.status_code == 200
        assert f"Only the first {GENERIC_ROWS} of {GENERIC_ROWS + 100} statements" in page.text
        assert page.text.count("<tr><td>") == GENERIC_ROWS
        data = http.get("/id/source/big-sheet", headers={"Accept": "application/n-triples"})
        assert len(data.text.strip().splitlines()) == GENERIC_ROWS + 100
