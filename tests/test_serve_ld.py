"""The linked-data side of ``actorgraph serve``: every project IRI resolves,
content negotiation, the headers of every document, and the base URL mapping."""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
import pytest
import rdflib
from rdfparse import HTML, JSONLD, NQ, NT, PARSERS, PLAIN, TRIG, TTL, graph_name, media, parse_both
from starlette.testclient import TestClient

from actorgraph.project import Project
from actorgraph.rdf.jsonld import load_context
from actorgraph.serve import Settings, Site, create_app, ld
from actorgraph.serve.negotiation import choose
from actorgraph.store import EmbeddedStore

W3ID = "https://w3id.org/actorgraph/"
ORG = W3ID + "id/organisation/la-27e-region"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


A27 = "/id/organisation/la-27e-region"

# (path, request headers, status, media type of the answer)
NEGOTIATION = [
    # Accept, with q-values
    (A27, {}, 200, TTL),
    (A27, {"Accept": "*/*"}, 200, TTL),
    (A27, {"Accept": BROWSER}, 200, HTML),
    (A27, {"Accept": "application/xhtml+xml"}, 200, HTML),
    (A27, {"Accept": "text/turtle"}, 200, TTL),
    (A27, {"Accept": "application/x-turtle"}, 200, TTL),
    (A27, {"Accept": "application/ld+json"}, 200, JSONLD),
    (A27, {"Accept": "application/json"}, 200, JSONLD),
    (A27, {"Accept": "application/n-triples"}, 200, NT),
    (A27, {"Accept": "application/n-quads"}, 200, NQ),
    (A27, {"Accept": "application/trig"}, 200, TRIG),
    (A27, {"Accept": "text/turtle;q=0.5, application/ld+json;q=0.9"}, 200, JSONLD),
    (A27, {"Accept": "text/html;q=0.5, text/turtle"}, 200, TTL),
    (A27, {"Accept": "text/html;q=0.9, application/n-quads;q=0.8"}, 200, HTML),
    (A27, {"Accept": "text/html, text/turtle"}, 200, HTML),
    (A27, {"Accept": "text/turtle, text/html"}, 200, TTL),
    (A27, {"Accept": "text/*"}, 200, TTL),
    (A27, {"Accept": "application/*"}, 200, NT),
    (A27, {"Accept": "*/*;q=0.1, text/html;q=0"}, 200, TTL),
    (A27, {"Accept": "text/turtle;q=0, */*"}, 200, NT),
    (A27, {"Accept": "image/png"}, 406, PLAIN),
    (A27, {"Accept": "text/plain"}, 406, PLAIN),
    (A27, {"Accept": "*/*;q=0"}, 406, PLAIN),
    # an extension, then ?format=, beat Accept
    (A27 + ".ttl", {"Accept": BROWSER}, 200, TTL),
    (A27 + ".nt", {}, 200, NT),
    (A27 + ".nq", {}, 200, NQ),
    (A27 + ".trig", {}, 200, TRIG),
    (A27 + ".jsonld", {}, 200, JSONLD),
    (A27 + ".html", {"Accept": "text/turtle"}, 200, HTML),
    (A27 + ".ttl", {"Accept": "image/png"}, 200, TTL),
    (A27 + "?format=jsonld", {"Accept": BROWSER}, 200, JSONLD),
    (A27 + "?format=application/n-quads", {}, 200, NQ),
    (A27 + "?format=html", {"Accept": "text/turtle"}, 200, HTML),
    (A27 + "?format=trig", {"Accept": "image/png"}, 200, TRIG),
    (A27 + "?format=rdfxml", {}, 400, PLAIN),
    # unknown IRIs: a page for browsers, plain text otherwise
    ("/id/organisation/no-such-organisation", {"Accept": BROWSER}, 404, HTML),
    ("/id/organisation/no-such-organisation", {}, 404, PLAIN),
    ("/id/organisation/no-such-organisation.jsonld", {}, 404, PLAIN),
    ("/id/organisation/a%20b", {}, 404, PLAIN),
    ("/id/organisation/a%3E%7D", {}, 404, PLAIN),
    # every kind of project IRI
    ("/ontology", {}, 200, TTL),
    ("/ontology", {"Accept": BROWSER}, 200, HTML),
    ("/ontology.jsonld", {}, 200, JSONLD),
    ("/ontology/0.1.0", {"Accept": "application/n-triples"}, 200, NT),
    ("/shapes", {}, 200, TTL),
    ("/shapes/recommended.trig", {}, 200, TRIG),
    ("/id/concept/themes", {"Accept": "application/ld+json"}, 200, JSONLD),
    ("/id/concept/participatory-democracy.nq", {}, 200, NQ),
    ("/id/concept/territories.nt", {}, 200, NT),
    ("/id/project/la-transfo", {}, 200, TTL),
    ("/id/partnership/la-27e-region--caisse-des-depots.trig", {}, 200, TRIG),
    ("/id/resource/aventures-participatives-des-elu-es", {}, 200, TTL),
    ("/id/source/la-27e-region-sheet.jsonld", {}, 200, JSONLD),
    ("/id/source/network-analysis.nq", {}, 200, NQ),
    ("/graph/la-27e-region.trig", {}, 200, TRIG),
    ("/graph/vocabulary/themes", {"Accept": "application/n-quads"}, 200, NQ),
    ("/graph/links/gazetteer.ttl", {}, 200, TTL),
    ("/graph/reference/gazetteer.nq", {}, 200, NQ),
    ("/graph/no-such-graph", {}, 404, PLAIN),
]


@pytest.mark.parametrize(("path", "headers", "status", "media_type"), NEGOTIATION)
def test_content_negotiation(
    client: TestClient, path: str, headers: dict[str, str], status: int, media_type: str
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.text[:500]
    assert media(response) == media_type
    if status == 200 and media_type in PARSERS:
        quads = parse_both(response.content, media_type)
        assert quads
        if media_type in (TTL, NT, JSONLD):
            assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    if status == 406:
        for offered in (HTML, TTL, NT, NQ, TRIG, JSONLD):
            assert offered in response.text
    if status == 200 and media_type == HTML:
        assert "<html" in response.text


def test_choose_weighs_html_against_rdf() -> None:
    assert choose(BROWSER).name == "html"
    assert choose("*/*").name == "ttl"
    assert choose("").name == "ttl"
    assert choose("nonsense") is None


def test_la_27e_region_turtle(client: TestClient) -> None:
    response = client.get(A27, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    org = rdflib.URIRef(ORG)
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    ag = rdflib.Namespace(W3ID + "ontology#")
    assert rdflib.Literal("La 27e Région", lang="fr") in set(graph.objects(org, skos.prefLabel))
    partnerships = set(graph.subjects(ag.partnerOf, org))
    assert rdflib.URIRef(W3ID + "id/partnership/la-27e-region--caisse-des-depots") in partnerships
    assert len(partnerships) >= 5
    # labels of the nodes at the other ends
    caisse = rdflib.URIRef(W3ID + "id/organisation/caisse-des-depots")
    assert rdflib.Literal("Caisse des Dépôts", lang="fr") in set(
        graph.objects(caisse, skos.prefLabel)
    )
    assert set(graph.objects(rdflib.URIRef(W3ID + "ontology#Association"), rdflib.RDFS.label))
    # the hash IRIs below it come along: a fragment never reaches the server
    contact = rdflib.URIRef(ORG + "#contact")
    schema = rdflib.Namespace("https://schema.org/")
    assert set(graph.objects(contact, schema.email))


def test_named_graphs_stay_visible_in_nquads(client: TestClient, store: EmbeddedStore) -> None:
    quads = parse_both(client.get(A27 + ".nq").content, NQ)
    name = ox.Quad(
        ox.NamedNode(ORG),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
        ox.Literal("La 27e Région", language="fr"),
        ox.NamedNode(W3ID + "graph/external-ids"),
    )
    assert name in quads
    assert {graph_name(q) for q in quads} >= {
        W3ID + "graph/la-27e-region",
        W3ID + "graph/external-ids",
    }
    # every statement is one of the store's, in its graph
    assert all(q in store.ox for q in quads)


def test_jsonld_uses_the_project_context(client: TestClient, project: Project) -> None:
    doc = json.loads(client.get(A27 + ".jsonld").text)
    assert doc["@context"] == load_context(project)


def test_headers(client: TestClient, site: Site) -> None:
    response = client.get(A27, headers={"Accept": "text/turtle"})
    headers = response.headers
    assert headers["vary"] == "Accept"
    assert headers["etag"] == site.etag(ORG, "ttl")
    assert headers["last-modified"] == site.last_modified
    assert headers["content-location"] == "http://testserver" + A27 + ".ttl"
    links = headers["link"]
    for extension, media_type in (
        ("html", HTML),
        ("ttl", TTL),
        ("nt", NT),
        ("nq", NQ),
        ("trig", TRIG),
        ("jsonld", JSONLD),
    ):
        assert (
            f'<http://testserver{A27}.{extension}>; rel="alternate"; type="{media_type}"' in links
        )
    page = client.get(A27, headers={"Accept": BROWSER})
    assert page.headers["vary"].split(", ")[:2] == ["Accept", "Accept-Language"]
    assert page.headers["content-location"] == "http://testserver" + A27 + ".html"
    # the variant's own URL does not vary with Accept
    fixed = client.get(A27 + ".ttl", headers={"Accept": BROWSER})
    assert "vary" not in fixed.headers
    assert fixed.headers["etag"] == headers["etag"]
    assert fixed.content == response.content
    # each variant has its own ETag
    assert client.get(A27 + ".nt").headers["etag"] != headers["etag"]


def test_conditional_get(client: TestClient, site: Site) -> None:
    first = client.get(A27, headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    again = client.get(A27, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["vary"] == "Accept"
    listed = client.get(A27, headers={"Accept": "text/turtle", "If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304
    other = client.get(A27, headers={"Accept": "application/n-triples", "If-None-Match": etag})
    assert other.status_code == 200
    since = client.get(A27, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    earlier = client.get(A27, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert earlier.status_code == 200
    # If-None-Match decides when both are present
    both = client.get(
        A27,
        headers={"If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]},
    )
    assert both.status_code == 200


@pytest.mark.parametrize("path", [A27, A27 + ".jsonld", "/ontology", "/no/such/thing"])
@pytest.mark.parametrize("accept", ["text/turtle", BROWSER])
def test_head_has_the_headers_of_get_and_no_body(
    client: TestClient, path: str, accept: str
) -> None:
    get = client.get(path, headers={"Accept": accept})
    head = client.head(path, headers={"Accept": accept})
    assert head.status_code == get.status_code
    assert head.content == b""
    assert dict(head.headers) == dict(get.headers)
    assert int(head.headers["content-length"]) == len(get.content)


def test_the_ontology_document_holds_every_term(client: TestClient, store: EmbeddedStore) -> None:
    quads = parse_both(client.get("/ontology.nq").content, NQ)
    graph = W3ID + "graph/ontology"
    assert len(quads) == store.count(graph)
    assert {graph_name(q) for q in quads} == {graph}
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert W3ID + "ontology#Association" in subjects
    assert W3ID + "ontology" in subjects
    # the version IRI names the same document
    assert client.get("/ontology/0.1.0.nq").content == client.get("/ontology.nq").content
    assert client.get("/ontology/9.9.9").status_code == 404


def test_shapes_are_served_from_the_project_files(client: TestClient, project: Project) -> None:
    quads = parse_both(client.get("/shapes.nt").content, NT)
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert W3ID + "shapes#Organisation_Shape" in subjects
    assert W3ID + "shapes/recommended" in subjects
    recommended = parse_both(client.get("/shapes/recommended.nt").content, NT)
    assert 0 < len(recommended) < len(quads)


def test_a_concept_and_its_scheme(client: TestClient) -> None:
    quads = parse_both(client.get("/id/concept/participatory-democracy.nt").content, NT)
    concept = ox.NamedNode(W3ID + "id/concept/participatory-democracy")
    predicates = {q.predicate.value for q in quads if q.subject == concept}
    assert "http://www.w3.org/2004/02/skos/core#prefLabel" in predicates
    assert "http://www.w3.org/2004/02/skos/core#inScheme" in predicates
    scheme = parse_both(client.get("/id/concept/themes.nt").content, NT)
    assert any(q.subject == concept for q in scheme)


def test_a_named_graph_is_served_whole(client: TestClient, store: EmbeddedStore) -> None:
    graph = W3ID + "graph/la-27e-region"
    quads = parse_both(client.get("/graph/la-27e-region.nq").content, NQ)
    inside = [q for q in quads if graph_name(q) == graph]
    assert len(inside) == store.count(graph)
    # what other graphs say of it comes along, in their graph
    assert any(
        graph_name(q) == W3ID + "graph/analytics/network" and q.object == ox.NamedNode(graph)
        for q in quads
    )


def test_a_big_graph_is_described_with_its_dumps(client: TestClient, store: EmbeddedStore) -> None:
    graph = W3ID + "graph/reference/gazetteer"
    assert store.count(graph) > ld.INLINE_GRAPH_LIMIT
    body = client.get("/graph/reference/gazetteer.nq").content
    quads = parse_both(body, NQ)
    assert len(quads) < 100
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    g = rdflib.Graph().parse(
        data=client.get("/graph/reference/gazetteer.ttl").text, format="turtle"
    )
    (subset,) = g.subjects(
        rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name"), rdflib.URIRef(graph)
    )
    assert str(subset).startswith("http://testserver/.well-known/void#")
    assert int(g.value(subset, void.triples)) == store.count(graph)
    dumps = {str(d) for d in g.objects(subset, void.dataDump)}
    assert "http://testserver/dumps/actorgraph.nq.gz" in dumps
    # its provenance, as stored
    prov = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert set(g.objects(rdflib.URIRef(graph), prov))


def test_incoming_statements_are_capped(client: TestClient, store: EmbeddedStore) -> None:
    scheme = W3ID + "id/concept/territories"
    pointing = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p <{scheme}> }} }}", union=False
    )
    assert int(pointing[0]["n"].value) > ld.MAX_INCOMING
    quads = parse_both(client.get("/id/concept/territories.nq").content, NQ)
    node = ox.NamedNode(scheme)
    incoming = [q for q in quads if q.object == node]
    assert len(incoming) == ld.MAX_INCOMING
    assert any(q.subject == node for q in quads)
    # labels only of the nodes kept
    kept = {q.subject for q in incoming} | {q.object for q in quads if q.subject == node}
    assert all(q.subject in kept or q.subject == node for q in quads)


def test_data_iris_are_not_rewritten(project: Project, store: EmbeddedStore) -> None:
    """Another base URL moves the links and headers, never the data's IRIs."""
    site = Site(store=store, project=project, settings=Settings(base_url="https://ag.example.org/"))
    with TestClient(create_app(site), base_url="http://internal") as http:
        turtle = http.get(A27, headers={"Accept": "text/turtle"})
        assert "ag.example.org" not in turtle.text
        assert "http://internal" not in turtle.text
        assert f"<{ORG}>" in http.get(A27 + ".nt").text
        assert turtle.headers["content-location"] == "https://ag.example.org" + A27 + ".ttl"
        assert "<https://ag.example.org" + A27 + ".jsonld>" in turtle.headers["link"]
        page = http.get(A27, headers={"Accept": BROWSER}).text
        assert 'href="https://ag.example.org/id/organisation/caisse-des-depots"' in page
        assert 'href="https://w3id.org/actorgraph/id/organisation/caisse-des-depots"' not in page
        # the description's own nodes live under the base URL
        void = http.get("/.well-known/void.nt").text
        assert "<https://ag.example.org/.well-known/void#actorgraph>" in void
        assert f"<{W3ID}graph/la-27e-region>" in void


def test_descriptions_run_off_the_event_loop(store: EmbeddedStore, project: Project) -> None:
    """A slow store call holds one worker thread, not the server."""
    entered, release = threading.Event(), threading.Event()

    class Slow:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(store, name)

        def select(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if "partnership" in args[0] or "la-27e-region" in args[0]:
                entered.set()
                assert release.wait(20)
            return store.select(*args, **kwargs)

    site = Site(store=Slow(), project=project, settings=Settings(base_url="http://testserver/"))
    results: list[int] = []
    with TestClient(create_app(site)) as http:
        worker = threading.Thread(target=lambda: results.append(http.get(A27).status_code))
        worker.start()
        assert entered.wait(20)
        # the slow request is still running; another one is answered meanwhile
        assert http.get("/shapes.nt").status_code == 200
        release.set()
        worker.join(20)
    assert results == [200]


@pytest.mark.parametrize("path", ["/id/organisation/x.ttl.ttl", "/graph/", "/id/", "/.ttl"])
def test_odd_paths_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_every_server_process_on_one_generation_gives_the_same_etags(project: Project) -> None:
    """``serve --workers N``: each process opens the project store itself; a
    generation names the data, so their ETags and Last-Modified agree."""
    from actorgraph.serve.app import open_site

    first, second = open_site(project, Settings()), open_site(project, Settings())
    assert first.version == second.version
    assert first.etag("x") == second.etag("x")
    assert first.last_modified == second.last_modified
