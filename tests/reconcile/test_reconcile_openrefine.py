"""A client that talks to the live server (uvicorn on loopback) the way
OpenRefine does: the manifest first, then the column's names in batches of
ten as a POST form, then previews, suggestions and a data extension, every
URL taken from the manifest and every answer checked against the schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

Validate = Callable[[str, Any], None]

#: A column as a French spreadsheet of partners holds it.
COLUMN = [
    "Mairie de Paris",
    "ville de Mulhouse",
    "Mulhouse-Alsace-Agglomération",
    "Communauté urbaine de Dunkerque",
    "Région Occitanie",
    "Métropole Européenne de Lille",
    "Métropole de Metz",
    "Eurométropole de Strasbourg",
    "MEL",
    "Caissee des Dépôts",
    "Mairie de Paris",
    "Gironde",
    "France Urbaine",
    "DITP",
    "Metz-Métropole",
    "Région Bretagne",
    "CD 33",
    "Conseil régional d'Aquitaine",
    "CA du Grand Angouleme",
    "Saint-Martin",
]
ORG = "https://w3id.org/actorgraph/id/organisation/"
OPENREFINE = {"User-Agent": "OpenRefine/3.8 (actorgraph test)", "Origin": "http://127.0.0.1:3333"}


@pytest.fixture(scope="module")
def http(live_server: Any) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, headers=OPENREFINE, timeout=60) as c:
        yield c


def test_openrefine_session(http: httpx.Client, live_server: Any, validate: Validate) -> None:
    # 1. Adding the service: the manifest.
    response = http.get("/reconcile")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    manifest = response.json()
    validate("manifest", manifest)
    assert manifest["view"]["url"].startswith(live_server.url)

    # 2. Reconciling the column: batches of ten, POSTed as a form, with a type.
    results: dict[str, Any] = {}
    for start in range(0, len(COLUMN), 10):
        queries = {
            f"q{n}": {
                "query": COLUMN[n],
                "type": "https://w3id.org/actorgraph/ontology#Organisation",
                "type_strict": "should",
                "limit": 3,
            }
            for n in range(start, min(start + 10, len(COLUMN)))
        }
        response = http.post(
            "/reconcile",
            content="queries=" + quote(json.dumps(queries)),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        )
        assert response.status_code == 200, response.text
        validate("reconciliation-result-batch", response.json())
        results.update(response.json())
    best = {COLUMN[int(k[1:])]: v["result"][0] for k, v in results.items() if v["result"]}
    assert (
        best["Mairie de Paris"]["id"] == ORG + "ville-de-paris" and best["Mairie de Paris"]["match"]
    )
    assert best["CD 33"]["id"] == ORG + "departement-de-la-gironde"
    assert best["Conseil régional d'Aquitaine"]["id"] == ORG + "region-75"
    assert best["CA du Grand Angouleme"]["id"] == ORG + "epci-200071827"
    assert best["Saint-Martin"]["match"] is False  # several communes bear that name
    matched = {k for k, v in best.items() if v["match"]}
    assert len(matched) >= 17

    # 3. Hovering a candidate: its preview, at the manifest's URL.
    preview = manifest["preview"]["url"].replace("{{id}}", quote(best["MEL"]["id"], safe=""))
    response = http.get(preview)
    assert response.status_code == 200 and "Lille" in response.text

    # 4. Searching by hand: suggest, at the manifest's service URL and path.
    for part, prefix, schema in (
        ("entity", "eurométropole", "suggest-entities-response"),
        ("type", "métrop", "suggest-types-response"),
        ("property", "code", "suggest-properties-response"),
    ):
        service = manifest["suggest"][part]
        response = http.get(
            service["service_url"] + service["service_path"], params={"prefix": prefix}
        )
        assert response.status_code == 200
        validate(schema, response.json())
        assert response.json()["result"], part

    # 5. Adding columns from the matches: property proposals, then the extension.
    proposals = manifest["extend"]["propose_properties"]
    response = http.get(
        proposals["service_url"] + proposals["service_path"],
        params={"type": "https://w3id.org/actorgraph/ontology#Organisation", "limit": 20},
    )
    validate("data-extension-property-proposal", response.json())
    wanted = [p["id"] for p in response.json()["properties"]]
    assert {"siren", "partners", "parents", "wikidata"} <= set(wanted)
    ids = sorted({v["id"] for v in best.values() if v["match"]})
    extend = {"ids": ids, "properties": [{"id": p} for p in wanted]}
    response = http.post("/reconcile", data={"extend": json.dumps(extend)})
    assert response.status_code == 200
    validate("data-extension-response", response.json())
    rows = response.json()["rows"]
    assert set(rows) == set(ids)
    assert rows[ORG + "ville-de-paris"]["siren"] == [{"str": "217500016"}]
