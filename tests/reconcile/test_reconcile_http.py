"""``/reconcile`` over HTTP (in process): what it answers, its CORS headers,
and the 400s that bad input gets, each with a message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from actorgraph.reconcile.protocol import BATCH_LIMIT

ORG = "https://w3id.org/actorgraph/id/organisation/"


def batch(client: TestClient, queries: Any, method: str = "post") -> Any:
    text = queries if isinstance(queries, str) else json.dumps(queries)
    if method == "post":
        return client.post("/reconcile", data={"queries": text})
    return client.get("/reconcile", params={"queries": text})


@pytest.mark.parametrize("method", ["get", "post"])
def test_queries_by_get_and_by_post_form(client: TestClient, method: str) -> None:
    response = batch(client, {"a": {"query": "Ville de Bordeaux"}}, method)
    assert response.status_code == 200
    [best, *_] = response.json()["a"]["result"]
    assert best["id"] == ORG + "commune-33063" and best["match"] is True
    assert response.headers["access-control-allow-origin"] == "*"


BAD: list[tuple[str, Any, str]] = [
    ("malformed JSON", '{"q0": {"query": "Paris"', "not valid JSON"),
    ("not an object", '["Paris"]', "a batch is a JSON object"),
    ("a query that is a string", {"q0": "Paris"}, "a query is a JSON object"),
    ("empty query", {"q0": {"query": "   "}}, "the query is empty"),
    ("neither query nor properties", {"q0": {"limit": 3}}, "needs a query string or properties"),
    ("empty properties", {"q0": {"properties": []}}, "needs a query string or properties"),
    ("unknown field", {"q0": {"query": "Paris", "props": []}}, "unknown field"),
    ("unknown type", {"q0": {"query": "Paris", "type": "ag:Ville"}}, "unknown type"),
    (
        "unknown property",
        {"q0": {"query": "Paris", "properties": [{"pid": "mayor", "v": "x"}]}},
        "unknown property",
    ),
    (
        "property without value",
        {"q0": {"query": "Paris", "properties": [{"pid": "siren"}]}},
        "{pid, v}",
    ),
    ("limit zero", {"q0": {"query": "Paris", "limit": 0}}, "limit is a positive integer"),
    ("limit text", {"q0": {"query": "Paris", "limit": "3"}}, "limit is a positive integer"),
    ("query not a string", {"q0": {"query": 33}}, "must be a string"),
    ("bad type_strict", {"q0": {"query": "Paris", "type_strict": "maybe"}}, "type_strict"),
    ("deeply nested", "[" * 100_000 + "]" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize(("case", "queries", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_queries_get_400_with_a_message(
    client: TestClient, case: str, queries: Any, message: str
) -> None:
    response = batch(client, queries)
    assert response.status_code == 400, (case, response.text)
    assert message in response.json()["error"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_message_names_the_query_at_fault(client: TestClient) -> None:
    response = batch(client, {"fine": {"query": "Paris"}, "q7": {"query": ""}})
    assert response.status_code == 400
    assert "q7" in response.json()["error"]


def test_a_batch_over_the_limit_is_refused_not_crashed_on(client: TestClient) -> None:
    queries = {f"q{n}": {"query": "Paris"} for n in range(10_000)}
    response = batch(client, queries)
    assert response.status_code == 400
    assert f"at most {BATCH_LIMIT}" in response.json()["error"]
    at_limit = {f"q{n}": {"query": "Paris"} for n in range(BATCH_LIMIT)}
    assert batch(client, at_limit).status_code == 200


def test_a_body_over_the_size_limit_is_413(client: TestClient) -> None:
    response = client.post("/reconcile", data={"queries": "x" * 2_000_000})
    assert response.status_code == 413
    assert "over" in response.json()["error"]


def test_the_old_single_query_form_is_explained(client: TestClient) -> None:
    response = client.get("/reconcile", params={"query": "Paris"})
    assert response.status_code == 400
    assert "queries=" in response.json()["error"]


def test_a_post_without_queries_or_extend_is_400(client: TestClient) -> None:
    response = client.post("/reconcile", data={"nothing": "here"})
    assert response.status_code == 400


def test_the_preflight_allows_any_origin(client: TestClient) -> None:
    response = client.options(
        "/reconcile",
        headers={
            "Origin": "http://127.0.0.1:3333",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type"


@pytest.mark.parametrize(
    "path",
    [
        "/reconcile/suggest/entity",
        "/reconcile/suggest/type",
        "/reconcile/suggest/property",
        "/reconcile/properties",
        "/reconcile/preview?id=" + ORG + "fing",
    ],
)
def test_every_route_has_cors(client: TestClient, path: str) -> None:
    response = client.get(path, params={"prefix": "a"} if "suggest" in path else None)
    assert response.headers["access-control-allow-origin"] == "*"


def test_suggest_is_a_prefix_search_without_accents_or_case(client: TestClient) -> None:
    names = lambda r: [e["name"] for e in r.json()["result"]]  # noqa: E731
    accented = client.get("/reconcile/suggest/entity", params={"prefix": "Angoulê"})
    plain = client.get("/reconcile/suggest/entity", params={"prefix": "ANGOULE"})
    assert names(accented) == names(plain)
    assert "Angoulême" in names(plain)
    # A word inside the name is a start too.
    inner = client.get("/reconcile/suggest/entity", params={"prefix": "grand angoul"})
    assert "CA du Grand Angoulême" in names(inner)
    # Paging: the next page holds other entities.
    first = client.get("/reconcile/suggest/entity", params={"prefix": "saint"}).json()["result"]
    second = client.get(
        "/reconcile/suggest/entity", params={"prefix": "saint", "cursor": "10"}
    ).json()["result"]
    assert first and second and not {e["id"] for e in first} & {e["id"] for e in second}


def test_suggest_finds_an_entity_by_its_identifier(client: TestClient) -> None:
    for prefix in ("217500016", ORG + "ville-de-paris"):
        result = client.get("/reconcile/suggest/entity", params={"prefix": prefix}).json()
        assert result["result"][0]["id"] == ORG + "ville-de-paris"


def test_suggest_may_be_restricted_to_a_type(client: TestClient) -> None:
    result = client.get(
        "/reconcile/suggest/entity", params={"prefix": "bordeaux", "type": "ag:EPCI"}
    ).json()["result"]
    assert result and all("Commune" not in [t["name"] for t in e["notable"]] for e in result)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/reconcile/suggest/entity", {}, 400),
        ("/reconcile/suggest/entity", {"prefix": "a", "cursor": "-1"}, 400),
        ("/reconcile/suggest/entity", {"prefix": "a", "cursor": "x"}, 400),
        ("/reconcile/suggest/entity", {"prefix": "a", "type": "nope"}, 400),
        ("/reconcile/properties", {"type": "nope"}, 400),
        ("/reconcile/properties", {"type": "ag:Commune", "limit": "0"}, 400),
        ("/reconcile/preview", {}, 400),
        ("/reconcile/preview", {"id": ORG + "no-such-thing"}, 404),
        ("/reconcile/view", {"id": "http://example.org/x"}, 400),
    ],
)
def test_bad_parameters_elsewhere(
    client: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.json()["error"]


@pytest.mark.parametrize(
    ("extend", "message"),
    [
        ("{", "not valid JSON"),
        ({"ids": "x", "properties": [{"id": "siren"}]}, "data extension query"),
        ({"ids": ["x"], "properties": []}, "non-empty list"),
        ({"ids": ["x"], "properties": [{"id": "population"}]}, "unknown property"),
        (
            {"ids": [str(n) for n in range(BATCH_LIMIT + 1)], "properties": [{"id": "siren"}]},
            "at most",
        ),
    ],
)
def test_bad_extension_queries_get_400(client: TestClient, extend: Any, message: str) -> None:
    text = extend if isinstance(extend, str) else json.dumps(extend)
    response = client.post("/reconcile", data={"extend": text})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_extension_values(client: TestClient) -> None:
    query = {
        "ids": [ORG + "ville-de-paris", ORG + "commune-33063", ORG + "nope"],
        "properties": [
            {"id": p} for p in ("siren", "inseeCode", "parents", "wikidata", "partners", "kind")
        ],
    }
    rows = client.get("/reconcile", params={"extend": json.dumps(query)}).json()["rows"]
    paris, bordeaux = rows[ORG + "ville-de-paris"], rows[ORG + "commune-33063"]
    assert paris["siren"] == [{"str": "217500016"}] and paris["inseeCode"] == [{"str": "75056"}]
    assert paris["wikidata"] == [{"str": "Q90"}]
    assert paris["partners"][0]["int"] >= 1
    parents = {v["id"] for v in bordeaux["parents"]}
    assert {ORG + "epci-243300316", ORG + "region-75"} <= parents  # Bordeaux Métropole, N.-A.
    assert any("gironde" in v["id"] for v in bordeaux["parents"])
    assert bordeaux["kind"] == [{"str": "Commune"}]
    assert all(v == [] for v in rows[ORG + "nope"].values())


def test_the_preview_is_escaped_html(client: TestClient) -> None:
    response = client.get("/reconcile/preview", params={"id": ORG + "la-27e-region"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "La 27e Région" in response.text and "<script" not in response.text
    assert 'href="http://testserver/id/organisation/la-27e-region"' in response.text


def test_the_view_url_leads_to_the_entity_page(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    url = manifest["view"]["url"].replace("{{id}}", ORG + "fing")
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/id/organisation/fing"
