"""``/sparql``: the SPARQL 1.1 Protocol endpoint on the project's graph —
the three ways to send a query, every answer format, the dataset
parameters, the service description and the query page, updates and their
token, and the catalogue answering the same through the endpoint."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from actorgraph.catalogue import Query
from actorgraph.project import Project
from actorgraph.query import bind
from actorgraph.serve import Settings, Site, create_app
from actorgraph.serve.endpoint import negotiate
from actorgraph.store import EmbeddedStore
from actorgraph.store.sparql import add_values, uses_service

HERE = Path(__file__).resolve().parent
CASES: list[dict[str, Any]] = json.loads((HERE / "queries" / "manifest.json").read_text())["cases"]

GRAPH = "https://w3id.org/actorgraph/graph/la-27e-region"
ONTOLOGY = "https://w3id.org/actorgraph/graph/ontology"
ORG = "https://w3id.org/actorgraph/id/organisation/la-27e-region"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"
JSON_RESULTS = "application/sparql-results+json"
TOKEN = "s3cret-token-for-tests"


def rows(response: Any) -> list[dict[str, str]]:
    """The rows of a JSON results answer, each term as N-Triples."""
    assert response.status_code == 200, response.text
    parsed = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]
    return [{n: str(s[n]) for n in names if s[n] is not None} for s in parsed]


def count(response: Any) -> int:
    return int(rows(response)[0]["n"].split('"')[1])


# ---- the three ways of the Protocol --------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(
    client: TestClient, store: EmbeddedStore
) -> None:
    by_get = client.get("/sparql", params={"query": COUNT})
    by_form = client.post("/sparql", data={"query": COUNT})
    by_body = client.post(
        "/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"}
    )
    assert count(by_get) == count(by_form) == count(by_body) == len(store)
    assert by_get.headers["content-type"] == JSON_RESULTS


def test_each_results_format_parses(client: TestClient) -> None:
    query = f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} ORDER BY ?p ?o"
    expected = rows(client.get("/sparql", params={"query": query}))
    assert len(expected) > 5
    for media, fmt in (
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ):
        answer = client.get("/sparql", params={"query": query}, headers={"Accept": media})
        assert answer.headers["content-type"].split(";")[0] == media
        parsed = ox.parse_query_results(answer.content, format=fmt)
        assert [{n: str(s[n]) for n in ("p", "o") if s[n] is not None} for s in parsed] == expected
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["p"] for r in table] == [r["p"][1:-1] for r in expected]
    for media in ("application/sparql-results+json", "application/sparql-results+xml"):
        fmt = ox.QueryResultsFormat.JSON if "json" in media else ox.QueryResultsFormat.XML
        ask = client.get(
            "/sparql", params={"query": f"ASK {{ <{ORG}> ?p ?o }}"}, headers={"Accept": media}
        )
        assert bool(ox.parse_query_results(ask.content, format=fmt)) is True


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", ox.RdfFormat.TRIG),
    ],
)
def test_each_graph_format_parses(
    client: TestClient, store: EmbeddedStore, media: str, fmt: ox.RdfFormat
) -> None:
    query = f"CONSTRUCT {{ <{ORG}> ?p ?o }} WHERE {{ <{ORG}> ?p ?o }}"
    expected = set(store.construct(query))
    answer = client.post("/sparql", data={"query": query}, headers={"Accept": media})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media
    got = {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(answer.content, format=fmt)}
    assert got == expected
    describe = client.post(
        "/sparql", data={"query": f"DESCRIBE <{ORG}>"}, headers={"Accept": media}
    )
    assert describe.status_code == 200 and list(ox.parse(describe.content, format=fmt))


def test_accept_q_values_choose_and_406_when_nothing_fits(client: TestClient) -> None:
    ask = {"query": "ASK {}"}
    xml = client.get(
        "/sparql",
        params=ask,
        headers={"Accept": "application/sparql-results+json;q=0.5, application/sparql-results+xml"},
    )
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    some = client.get("/sparql", params=ask, headers={"Accept": "application/*;q=0.1"})
    assert some.headers["content-type"] == JSON_RESULTS
    refused = client.get("/sparql", params=ask, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "application/sparql-results+json" in refused.text
    graph = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
        headers={"Accept": JSON_RESULTS},
    )  # fmt: skip
    assert graph.status_code == 406
    chosen = client.get("/sparql", params={**ask, "format": "xml"}, headers={"Accept": "text/csv"})
    assert chosen.headers["content-type"].startswith("application/sparql-results+xml")
    assert client.get("/sparql", params={**ask, "format": "ttl"}).status_code == 400
    assert negotiate("*/*", (("a", "x/y"), ("b", "x/z"))) == ("a", "x/y")


# ---- the dataset ------------------------------------------------------------------------


def test_default_and_named_graph_uri_change_the_answer(
    client: TestClient, store: EmbeddedStore
) -> None:
    assert count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": GRAPH})) == (
        store.count(GRAPH)
    )
    both = client.get(
        "/sparql",
        params=[("query", COUNT), ("default-graph-uri", GRAPH), ("default-graph-uri", ONTOLOGY)],
    )
    assert count(both) == store.count(GRAPH) + store.count(ONTOLOGY)
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = rows(client.get("/sparql", params={"query": graphs, "named-graph-uri": ONTOLOGY}))
    assert named == [{"g": f"<{ONTOLOGY}>"}]
    # Only named graphs stated: the default graph is empty.
    assert count(client.get("/sparql", params={"query": COUNT, "named-graph-uri": ONTOLOGY})) == 0
    # No dataset stated: the query's own FROM, else the union of every graph.
    own = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", params={"query": own})) == store.count(GRAPH)
    assert len(rows(client.get("/sparql", params={"query": graphs}))) == len(store.graphs())
    bad = client.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400 and "default-graph-uri" in bad.text


def test_unknown_parameters_and_malformed_requests_are_400(client: TestClient) -> None:
    unknown = client.get("/sparql", params={"query": "ASK {}", "timeout": "5"})
    assert unknown.status_code == 400 and "'timeout'" in unknown.text
    twice = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert twice.status_code == 400
    malformed = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert malformed.status_code == 400 and "syntax error" in malformed.text
    assert "error at 1:" in malformed.text  # the parser's own words
    assert client.put("/sparql", params={"query": "ASK {}"}).status_code == 405
    assert (
        client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/sparql", content=b"", headers=form).status_code == 400


# ---- limits of the answer --------------------------------------------------------------


@pytest.fixture(scope="module")
def capped(project: Project, store: EmbeddedStore) -> Iterator[TestClient]:
    site = Site(store, project, Settings(base_url="http://testserver/", result_cap=5))
    with TestClient(create_app(site), base_url="http://testserver") as http:
        yield http


def test_a_long_answer_is_cut_at_the_cap_with_a_header(capped: TestClient) -> None:
    cut = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100"})
    assert len(rows(cut)) == 5
    assert cut.headers["x-actorgraph-truncated"] == "true"
    assert cut.headers["x-actorgraph-result-cap"] == "5"
    triples = capped.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert (
        len(triples.text.splitlines()) == 5 and triples.headers["x-actorgraph-truncated"] == "true"
    )
    whole = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert len(rows(whole)) == 5 and "x-actorgraph-truncated" not in whole.headers


def test_a_get_answer_has_an_etag_and_revalidates(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": "ASK {}"})
    etag = first.headers["etag"]
    again = client.get("/sparql", params={"query": "ASK {}"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert other.headers["etag"] != etag


# ---- service description, query page ----------------------------------------------------


def test_the_service_description_parses_and_names_the_endpoint(
    client: TestClient, store: EmbeddedStore
) -> None:
    for media, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ):
        answer = client.get("/sparql", headers={"Accept": media})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        graph = ox.Store()
        graph.load(answer.content, format=fmt)
        endpoint = ox.NamedNode("http://testserver/sparql")
        assert bool(graph.query(f"ASK {{ {endpoint} a <{SD}Service> ; <{SD}endpoint> {endpoint} ; "
                                f"<{SD}supportedLanguage> <{SD}SPARQL11Query> ; "
                                f"<{SD}resultFormat> <http://www.w3.org/ns/formats/SPARQL_Results_JSON> }}"))  # fmt: skip
        assert not bool(graph.query(f"ASK {{ ?s <{SD}supportedLanguage> <{SD}SPARQL11Update> }}"))
        names = graph.query(
            f"SELECT ?g WHERE {{ ?s <{SD}defaultDataset>/<{SD}namedGraph>/<{SD}name> ?g }}"
        )
        assert sorted(r["g"].value for r in names) == store.graphs()


def test_a_browser_gets_a_form_that_works_without_javascript(client: TestClient) -> None:
    browser = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en-GB,en;q=0.9",
    }
    page = client.get("/sparql", headers=browser)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html and "Run the query" in html
    assert '<form method="get" action="http://testserver/sparql">' in html and "<textarea" in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    # nothing from another site
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!testserver/)', html)
    links = re.findall(r'href="(http://testserver/sparql\?query=[^"]+)"', html)
    assert len(links) >= 10  # the catalogue's questions
    answered = client.get(links[0].replace("&amp;", "&"), headers=browser)
    assert answered.status_code == 200 and "<table>" in answered.text
    error = client.get("/sparql", params={"query": "SELECT {"}, headers=browser)
    assert error.status_code == 400 and 'role="alert"' in error.text and "<form" in error.text
    download = client.get("/sparql", params={"query": "ASK {}", "format": "json"}, headers=browser)
    assert download.headers["content-type"] == JSON_RESULTS


def test_the_query_page_speaks_french_and_english(client: TestClient) -> None:
    html = {"Accept": "text/html"}
    client.cookies.clear()  # a language chosen by an earlier test
    french = client.get("/sparql", headers={**html, "Accept-Language": "fr"})
    assert french.status_code == 200 and french.headers["content-language"] == "fr"
    assert '<html lang="fr">' in french.text and "Lancer la requête" in french.text
    assert "Exemples : le catalogue de questions" in french.text
    # the catalogue's questions by their French summaries
    assert "Organisations, projets et ressources dont un nom" in french.text
    # the switch: ?lang=en on the endpoint is the page's language, not a protocol error
    english = client.get("/sparql", params={"lang": "en"}, headers=html)
    assert english.status_code == 200 and "Run the query" in english.text
    answered = client.get(
        "/sparql",
        params={"query": "SELECT ?x WHERE { VALUES ?x { 1 2 } }", "lang": "fr"},
        headers=html,
    )
    assert answered.status_code == 200 and "2 lignes" in answered.text
    ask = client.get("/sparql", params={"query": "ASK {}", "lang": "en"}, headers=html)
    assert "Answer: <strong>true</strong>" in ask.text
    # everything from the query is escaped
    hostile = client.get(
        "/sparql",
        params={"query": 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'},
        headers=html,
    )
    assert "<script>alert(1)" not in hostile.text and "&lt;script&gt;alert(1)" in hostile.text
    client.cookies.clear()


# ---- the catalogue through the endpoint -----------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [c for c in CASES],
    ids=lambda c: f"{c['query']}({','.join(f'{k}={v}' for k, v in c['params'].items())})",
)
def test_the_catalogue_answers_the_same_through_sparql(
    client: TestClient, project: Project, store: EmbeddedStore, case: dict[str, Any]
) -> None:
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    assert not uses_service(query.text)
    bindings = bind(query, case["params"])
    direct = store.answer(query.text, bindings)
    # Through the Protocol the parameters travel as a VALUES block.
    answer = client.post("/sparql", data={"query": add_values(query.text, bindings)})
    got = {tuple(sorted(r.items())) for r in rows(answer)}
    assert got == {tuple(sorted((k, str(v)) for k, v in r.items())) for r in direct.rows}
    assert json.loads(answer.content)["head"]["vars"] == direct.variables


# ---- updates ------------------------------------------------------------------------------


def test_updates_are_refused_unless_allowed(client: TestClient) -> None:
    refused = client.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert refused.status_code == 403 and "--allow-update" in refused.text
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400


@pytest.fixture
def writable(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Site]]:
    """A server accepting updates, over a private copy of two of the project's graphs."""
    monkeypatch.setenv("AG_TEST_TOKEN", TOKEN)
    copy = EmbeddedStore()
    copy.load_bytes(store.dump([GRAPH, ONTOLOGY]), "nq")
    settings = Settings(base_url="http://testserver/", allow_update=True, token_env="AG_TEST_TOKEN")
    site = Site(copy, None, settings)
    with TestClient(create_app(site), base_url="http://testserver") as http:
        yield http, site


def test_an_update_needs_the_bearer_token(writable: tuple[TestClient, Site]) -> None:
    http, site = writable
    insert = "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 'x' } }"
    ask = {"query": "ASK { GRAPH <http://e/g> { <http://e/a> <http://e/p> 'x' } }"}
    missing = http.post(
        "/sparql", content=insert, headers={"Content-Type": "application/sparql-update"}
    )
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = http.post(
        "/sparql", content=insert,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"},
    )  # fmt: skip
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]
    assert http.get("/sparql", params=ask).json()["boolean"] is False
    before = (site.version, http.get("/sparql", params=ask).headers["etag"])
    done = http.post(
        "/sparql", content=insert,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    assert done.status_code == 204, done.text
    after = http.get("/sparql", params=ask)
    assert after.json()["boolean"] is True
    assert site.version != before[0] and after.headers["etag"] != before[1]
    by_form = http.post(
        "/sparql",
        data={"update": "CLEAR GRAPH <http://e/g>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert by_form.status_code == 204
    assert http.get("/sparql", params=ask).json()["boolean"] is False
    described = http.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert f"<{SD}SPARQL11Update>" in described


def test_load_is_always_refused(writable: tuple[TestClient, Site]) -> None:
    http, _ = writable
    for text in (
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://e/g>",
        "INSERT DATA { <http://e/a> <http://e/p> 'x' } ;\nLoAd <http://127.0.0.1:9/x>",
    ):
        refused = http.post(
            "/sparql", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert refused.status_code == 403 and "LOAD" in refused.text
    ok = http.post(
        "/sparql",
        data={"update": "INSERT DATA { <http://e/a> <http://e/p> 'download, upload' }"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert ok.status_code == 204


def test_an_update_on_the_read_only_project_store_is_refused(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_TEST_TOKEN", TOKEN)
    folder = tmp_path / "store"
    EmbeddedStore(folder).load_bytes(store.dump([GRAPH]), "nq")
    disk = EmbeddedStore(folder, read_only=True)
    settings = Settings(base_url="http://testserver/", allow_update=True, token_env="AG_TEST_TOKEN")
    with TestClient(create_app(Site(disk, None, settings))) as http:
        refused = http.post(
            "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert refused.status_code == 403 and "read-only" in refused.text
        assert count(http.get("/sparql", params={"query": COUNT})) == store.count(GRAPH)


# ---- in front of a remote store ----------------------------------------------------------


@pytest.mark.server
def test_the_endpoint_fronts_a_remote_store(seed_server: Any, store: EmbeddedStore) -> None:
    from actorgraph.store.remote import RemoteStore

    site = Site(RemoteStore(seed_server.query_url), None, Settings(base_url="http://testserver/"))
    with TestClient(create_app(site), base_url="http://testserver") as http:
        assert count(http.get("/sparql", params={"query": COUNT})) == len(store)
        one = http.get("/sparql", params={"query": COUNT, "default-graph-uri": GRAPH})
        assert count(one) == store.count(GRAPH)
        query = f"CONSTRUCT {{ <{ORG}> ?p ?o }} WHERE {{ <{ORG}> ?p ?o }}"
        triples = http.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
        )
        assert {q.triple for q in ox.parse(triples.content, format=ox.RdfFormat.N_TRIPLES)} == set(
            store.construct(query)
        )
        refused = http.get(
            "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
        )
        assert refused.status_code == 400
        graphs = http.get("/sparql", headers={"Accept": "application/n-triples"})
        assert graphs.status_code == 200 and GRAPH in graphs.text
