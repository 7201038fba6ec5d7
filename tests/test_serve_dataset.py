"""The dataset's description (VoID at /.well-known/void, DCAT at /catalog)
and its dumps (/dumps/), against the store they describe."""

from __future__ import annotations

import gzip
import re
import threading
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdfparse import (
    HTML,
    JSONLD,
    NQ,
    NT,
    PLAIN,
    TRIG,
    TTL,
    graph_name,
    media,
    parse_both,
    rdflib_term,
)
from starlette.testclient import TestClient

from actorgraph.project import Project
from actorgraph.serve import Settings, Site, create_app, dataset
from actorgraph.store import EmbeddedStore

W3ID = "https://w3id.org/actorgraph/"
BASE = "http://testserver/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.DCTERMS
SD_NAME = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")
OWL = rdflib.OWL
LICENCE = rdflib.URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
DATASET = rdflib.URIRef(BASE + ".well-known/void#actorgraph")
EXTENSIONS = ("ttl", "nt", "nq", "trig", "jsonld")


def _graph(client: TestClient, path: str) -> rdflib.Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert media(response) == TTL
    parse_both(response.content, TTL)
    return rdflib.Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def void(client: TestClient) -> rdflib.Graph:
    return _graph(client, "/.well-known/void")


@pytest.fixture(scope="module")
def dcat(client: TestClient) -> rdflib.Graph:
    return _graph(client, "/catalog")


# ---- VoID --------------------------------------------------------------------------


def test_void_counts_every_named_graph(void: rdflib.Graph, store: EmbeddedStore) -> None:
    assert (DATASET, rdflib.RDF.type, VOID.Dataset) in void
    assert int(void.value(DATASET, VOID.triples)) == len(store)
    subsets = set(void.objects(DATASET, VOID.subset))
    named = {str(void.value(s, SD_NAME)): s for s in subsets}
    assert set(named) == set(store.graphs())
    for graph, subset in named.items():
        assert str(subset).startswith(BASE + ".well-known/void#")
        assert int(void.value(subset, VOID.triples)) == store.count(graph), graph


def test_void_states_licence_endpoint_dumps_and_example(
    void: rdflib.Graph, store: EmbeddedStore
) -> None:
    # the licence the ontology itself states
    (stated,) = {
        r["l"].value
        for r in store.select(f"SELECT ?l WHERE {{ <{W3ID}ontology> <{DCT.license}> ?l }}")
    }
    assert stated == str(LICENCE)
    assert void.value(DATASET, DCT.license) == LICENCE
    assert void.value(DATASET, VOID.sparqlEndpoint) == rdflib.URIRef(BASE + "sparql")
    assert void.value(DATASET, VOID.exampleResource) == rdflib.URIRef(
        W3ID + "id/organisation/la-27e-region"
    )
    assert str(void.value(DATASET, VOID.uriSpace)) == W3ID + "id/"
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}dumps/actorgraph.{e}.gz" for e in EXTENSIONS}
    modified = void.value(DATASET, DCT.modified)
    assert modified.datatype == rdflib.XSD.dateTime
    publisher = void.value(DATASET, DCT.publisher)
    assert void.value(publisher, rdflib.FOAF.name)
    assert rdflib.URIRef(W3ID + "ontology#") in set(void.objects(DATASET, VOID.vocabulary))


def _links(store: EmbeddedStore, graph: str) -> Counter[str]:
    """The link statements of a links graph by predicate, counted here with
    rdflib: the statements an owl:Axiom of the graph annotates."""
    g = rdflib.Graph().parse(data=store.read_graph(graph), format="nt")
    found: set[tuple[rdflib.term.Node, ...]] = set()
    for axiom in g.subjects(rdflib.RDF.type, OWL.Axiom):
        link = (
            g.value(axiom, OWL.annotatedSource),
            g.value(axiom, OWL.annotatedProperty),
            g.value(axiom, OWL.annotatedTarget),
        )
        if link in g:
            found.add(link)
    return Counter(str(p) for _, p, _ in found)


def test_void_linksets(void: rdflib.Graph, store: EmbeddedStore) -> None:
    gazetteer = _links(store, W3ID + "graph/links/gazetteer")
    wikidata = _links(store, W3ID + "graph/links/wikidata")
    assert gazetteer[str(OWL.sameAs)] == 10  # as data/links/gazetteer.ttl has them
    linkset = rdflib.URIRef(BASE + ".well-known/void#linkset/gazetteer")
    assert (linkset, rdflib.RDF.type, VOID.Linkset) in void
    assert int(void.value(linkset, VOID.triples)) == sum(gazetteer.values())
    reference = void.value(linkset, VOID.objectsTarget)
    assert str(void.value(reference, SD_NAME)) == W3ID + "graph/reference/gazetteer"
    assert rdflib.URIRef("http://rdf.insee.fr/def/geo#") in set(
        void.objects(reference, VOID.vocabulary)
    )
    assert void.value(linkset, VOID.subjectsTarget) == DATASET
    by_predicate = {
        str(void.value(part, VOID.linkPredicate)): int(void.value(part, VOID.triples))
        for part in void.objects(linkset, VOID.subset)
    }
    assert by_predicate == dict(gazetteer)
    to_wikidata = rdflib.URIRef(BASE + ".well-known/void#linkset/wikidata")
    assert int(void.value(to_wikidata, VOID.triples)) == sum(wikidata.values())
    target = void.value(to_wikidata, VOID.objectsTarget)
    assert str(void.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    # each linkset is a subset of its links graph's subset
    links_subset = next(void.subjects(SD_NAME, rdflib.URIRef(W3ID + "graph/links/gazetteer")))
    assert linkset in set(void.objects(links_subset, VOID.subset))


@pytest.mark.parametrize(
    ("path", "headers", "status", "media_type"),
    [
        ("/.well-known/void", {}, 200, TTL),
        ("/.well-known/void", {"Accept": "*/*"}, 200, TTL),
        ("/.well-known/void", {"Accept": "application/ld+json"}, 200, JSONLD),
        ("/.well-known/void", {"Accept": "text/html,*/*;q=0.8"}, 200, HTML),
        ("/.well-known/void.nt", {"Accept": "text/html"}, 200, NT),
        ("/.well-known/void?format=nq", {}, 200, NQ),
        ("/.well-known/void", {"Accept": "image/png"}, 406, PLAIN),
        ("/.well-known/void.xml", {}, 404, PLAIN),
        ("/catalog", {}, 200, TTL),
        ("/catalog.jsonld", {}, 200, JSONLD),
        ("/catalog", {"Accept": "application/trig"}, 200, TRIG),
        ("/catalog", {"Accept": "text/html"}, 200, HTML),
    ],
)
def test_descriptions_are_negotiated(
    client: TestClient, path: str, headers: dict[str, str], status: int, media_type: str
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert media(response) == media_type
    if media_type in (TTL, NT, NQ, TRIG, JSONLD):
        assert parse_both(response.content, media_type)
    if status == 200 and "." not in path.rsplit("/", 1)[1] and "?" not in path:
        assert "Accept" in response.headers["vary"].split(", ")
        etag = response.headers["etag"]
        again = client.get(path, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304


def test_descriptions_are_the_same_in_every_format(client: TestClient) -> None:
    turtle = rdflib.Graph().parse(data=client.get("/.well-known/void.ttl").text, format="turtle")
    jsonld = rdflib.Graph().parse(
        data=client.get("/.well-known/void.jsonld").text, format="json-ld"
    )
    assert isomorphic(turtle, jsonld)


# ---- DCAT --------------------------------------------------------------------------


def test_dcat_catalogue(dcat: rdflib.Graph, void: rdflib.Graph) -> None:
    (catalog,) = dcat.subjects(rdflib.RDF.type, DCAT.Catalog)
    assert str(catalog).startswith(BASE + "catalog#")
    assert dcat.value(catalog, DCAT.dataset) == DATASET
    assert (DATASET, rdflib.RDF.type, DCAT.Dataset) in dcat
    for node in (catalog, DATASET):
        assert dcat.value(node, DCT.license) == LICENCE
        assert dcat.value(node, DCT.publisher) is not None
        assert dcat.value(node, DCT.modified) == void.value(DATASET, DCT.modified)
        assert {lit.language for lit in dcat.objects(node, DCT.title)} == {"fr", "en"}
    (service,) = dcat.subjects(rdflib.RDF.type, DCAT.DataService)
    assert dcat.value(service, DCAT.endpointURL) == rdflib.URIRef(BASE + "sparql")
    assert dcat.value(service, DCAT.servesDataset) == DATASET
    assert service in set(dcat.objects(catalog, DCAT.service))
    # the code's licence, apart from the data's
    software = dcat.value(service, rdflib.URIRef("https://schema.org/isBasedOn"))
    assert dcat.value(software, DCT.license) == rdflib.URIRef("http://spdx.org/licenses/MIT")


def test_dcat_distributions(client: TestClient, dcat: rdflib.Graph) -> None:
    downloads = {}
    for distribution in dcat.objects(DATASET, DCAT.distribution):
        assert (distribution, rdflib.RDF.type, DCAT.Distribution) in dcat
        assert dcat.value(distribution, DCT.license) == LICENCE
        url = dcat.value(distribution, DCAT.downloadURL)
        if url is None:  # the SPARQL endpoint
            assert dcat.value(distribution, DCAT.accessURL) == rdflib.URIRef(BASE + "sparql")
            assert dcat.value(distribution, DCAT.accessService) is not None
            continue
        downloads[str(url)] = distribution
    expected = {f"{BASE}dumps/actorgraph.{e}{z}" for e in EXTENSIONS for z in ("", ".gz")}
    assert set(downloads) == expected
    for url, distribution in downloads.items():
        media_type = str(dcat.value(distribution, DCAT.mediaType))
        assert media_type.startswith("http://www.iana.org/assignments/media-types/")
        compressed = dcat.value(distribution, DCAT.compressFormat)
        assert (compressed is not None) == url.endswith(".gz")
        head = client.head(url, headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200, url
        if not url.endswith(".gz"):
            assert media_type.endswith("/" + media(head))


# ---- dumps -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nquads_gz(client: TestClient) -> bytes:
    response = client.get("/dumps/actorgraph.nq.gz")
    assert response.status_code == 200
    return response.content


def _same_quads(quads: list[ox.Quad], expected: list[ox.Quad]) -> None:
    """The same statements: equal sets apart from blank nodes, and the few
    statements with blank nodes isomorphic graph by graph."""
    assert len(quads) == len(expected)

    def split(items: list[ox.Quad]) -> tuple[set[ox.Quad], dict[str | None, rdflib.Graph]]:
        ground: set[ox.Quad] = set()
        blank: dict[str | None, rdflib.Graph] = {}
        for q in items:
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                blank.setdefault(graph_name(q), rdflib.Graph()).add(
                    (rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object))
                )
            else:
                ground.add(q)
        return ground, blank

    ours, our_blank = split(quads)
    theirs, their_blank = split(expected)
    assert ours == theirs
    assert set(our_blank) == set(their_blank)
    for name, graph in our_blank.items():
        assert isomorphic(graph, their_blank[name])


@pytest.mark.slow
def test_nquads_dump_holds_exactly_the_store(nquads_gz: bytes, store: EmbeddedStore) -> None:
    assert nquads_gz[:2] == b"\x1f\x8b"
    assert nquads_gz[4:8] == b"\0\0\0\0"  # no time stamp: stable bytes
    quads = list(ox.parse(gzip.decompress(nquads_gz), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(store)
    assert {graph_name(q) for q in quads} == set(store.graphs())
    per_graph = Counter(graph_name(q) for q in quads)
    assert per_graph == {g: store.count(g) for g in store.graphs()}
    _same_quads(quads, list(store.quads()))


@pytest.mark.slow
def test_trig_dump_keeps_the_graphs(client: TestClient, store: EmbeddedStore) -> None:
    body = gzip.decompress(client.get("/dumps/actorgraph.trig.gz").content)
    quads = list(ox.parse(body, format=ox.RdfFormat.TRIG))
    _same_quads(quads, list(store.quads()))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extension", "fmt"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_triple_dumps_hold_the_union(
    client: TestClient, store: EmbeddedStore, extension: str, fmt: ox.RdfFormat
) -> None:
    body = gzip.decompress(client.get(f"/dumps/actorgraph.{extension}.gz").content)
    triples = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(body, format=fmt)]
    union = {ox.Quad(q.subject, q.predicate, q.object): None for q in store.quads()}
    _same_quads(triples, list(union))


def test_dump_headers_stable_bytes_and_304(
    client: TestClient, site: Site, nquads_gz: bytes
) -> None:
    first = client.get("/dumps/actorgraph.nq.gz")
    second = client.get("/dumps/actorgraph.nq.gz")
    assert first.content == second.content == nquads_gz
    headers = first.headers
    assert headers["content-type"] == "application/gzip"
    assert "content-encoding" not in headers
    assert headers["content-disposition"] == 'attachment; filename="actorgraph.nq.gz"'
    assert int(headers["content-length"]) == len(nquads_gz)
    assert headers["etag"] == second.headers["etag"]
    assert headers["last-modified"] == site.last_modified
    again = client.get("/dumps/actorgraph.nq.gz", headers={"If-None-Match": headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get("/dumps/actorgraph.nq.gz", headers={"If-Modified-Since": site.last_modified})
    assert since.status_code == 304
    head = client.head("/dumps/actorgraph.nq.gz")
    assert head.status_code == 200 and head.content == b""
    assert dict(head.headers) == dict(headers)


def test_uncompressed_dumps(client: TestClient, nquads_gz: bytes) -> None:
    plain = client.get("/dumps/actorgraph.nq", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert media(plain) == NQ
    assert "content-encoding" not in plain.headers
    assert plain.content == gzip.decompress(nquads_gz)
    assert int(plain.headers["content-length"]) == len(plain.content)
    assert plain.headers["vary"] == "Accept-Encoding"
    head = client.head("/dumps/actorgraph.nq", headers={"Accept-Encoding": "identity"})
    assert head.content == b"" and dict(head.headers) == dict(plain.headers)
    # a client taking gzip gets the same bytes, encoded, under another ETag
    encoded = client.get("/dumps/actorgraph.nq", headers={"Accept-Encoding": "gzip"})
    assert encoded.headers["content-encoding"] == "gzip"
    assert encoded.content == plain.content  # decoded by the client
    assert encoded.headers["etag"] != plain.headers["etag"]


def test_dumps_index_lists_every_dump_with_its_size(client: TestClient) -> None:
    response = client.get("/dumps/")
    assert response.status_code == 200 and media(response) == HTML
    for extension in EXTENSIONS:
        name = f"actorgraph.{extension}.gz"
        found = re.search(
            rf'href="{BASE}dumps/{re.escape(name)}">[^<]*</a></td><td data-bytes="(\d+)"',
            response.text,
        )
        assert found, name
        size = client.head(f"/dumps/{name}").headers["content-length"]
        assert found[1] == size
    assert client.get("/dumps", follow_redirects=False).headers["location"] == BASE + "dumps/"
    assert client.get("/dumps/actorgraph.xml.gz").status_code == 404
    assert client.get("/dumps/other.nq.gz").status_code == 404


def test_a_dump_is_made_once_however_many_ask(project: Project) -> None:
    store = EmbeddedStore()
    store.load_bytes(
        b'<http://example.org/a> <http://example.org/p> "1" .', "nt", graph=W3ID + "graph/g"
    )
    site = Site(store=store, project=project)
    dumps = dataset.Dumps(site)
    made: list[dataset.Dump] = []
    threads = [threading.Thread(target=lambda: made.append(dumps.get("ttl"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dumps.made == 1
    assert len({id(d) for d in made}) == 1
    site.version = "next"  # the data changed: made anew
    assert dumps.get("ttl").version == "next"
    assert dumps.made == 2


def test_making_a_dump_blocks_no_other_request(
    project: Project, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []
    real = dataset.serialize_graphs

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("made")
        entered.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(dataset, "serialize_graphs", slow)
    site = Site(store=store, project=project, settings=Settings(base_url=BASE))
    statuses: list[int] = []
    with TestClient(create_app(site)) as http:

        def fetch() -> None:
            statuses.append(http.get("/dumps/actorgraph.ttl.gz").status_code)

        first = threading.Thread(target=fetch)
        first.start()
        assert entered.wait(30)
        second = threading.Thread(target=fetch)  # waits for the first, makes nothing
        second.start()
        # meanwhile the server answers
        assert http.get("/catalog.nt").status_code == 200
        assert http.get("/id/organisation/la-27e-region.nt").status_code == 200
        release.set()
        first.join(60)
        second.join(60)
    assert statuses == [200, 200]
    assert calls == ["made"]
