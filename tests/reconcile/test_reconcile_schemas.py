"""The specification's JSON Schemas tell its valid examples from its invalid
ones (so that a response validating against them means something), and every
kind of response of ``/reconcile`` validates against its schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from starlette.testclient import TestClient

from actorgraph.errors import UsageError
from actorgraph.reconcile import protocol
from actorgraph.reconcile.vocab import Types

Validate = Callable[[str, Any], None]

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reconciliation" / "0.2"
ORG = "https://w3id.org/actorgraph/id/organisation/"
MANIFEST_ID = "https://reconciliation-api.github.io/specs/0.2/schemas/manifest.json"
RESULT_ID = (
    "https://reconciliation-api.github.io/specs/0.2/schemas/reconciliation-result-batch.json"
)

#: Example folders without a schema of their own: the part of a schema they are.
PARTS = {
    "data-extension-metadata": MANIFEST_ID + "#/properties/extend",
    "preview-metadata": MANIFEST_ID + "#/properties/preview",
    "suggest-metadata": MANIFEST_ID + "#/properties/suggest/definitions/service_definition",
    "reconciliation-candidate": RESULT_ID + "#/patternProperties/^.*$/properties/result/items",
}


def examples() -> list[tuple[str, str, Path]]:
    """(schema or part, valid|invalid, file) of every JSON example."""
    if not SPEC.is_dir():
        return []
    names = {p.stem for p in (SPEC / "schemas").glob("*.json")}
    out = []
    for folder in sorted((SPEC / "examples").iterdir()):
        if folder.name not in names and folder.name not in PARTS:
            continue  # security schemes are OpenAPI 3's, which the schemas do not hold
        for kind in ("valid", "invalid"):
            for path in sorted((folder / kind).glob("*.json")):
                out.append((folder.name, kind, path))
    return out


@pytest.mark.parametrize(
    ("name", "kind", "path"), examples(), ids=lambda v: v.name if isinstance(v, Path) else v
)
def test_the_schemas_tell_valid_examples_from_invalid_ones(
    schema_set: tuple[Any, dict[str, Any]], name: str, kind: str, path: Path
) -> None:
    registry, schemas = schema_set
    schema = schemas.get(name) or {"$ref": PARTS[name]}
    validator = Draft7Validator(schema, registry=registry)
    instance = json.loads(path.read_text(encoding="utf-8"))
    assert validator.is_valid(instance) is (kind == "valid")


def test_both_kinds_of_examples_are_there(spec: Path) -> None:
    assert examples(), f"no examples under {SPEC}"
    kinds = {(name, kind) for name, kind, _ in examples()}
    for name in ("manifest", "reconciliation-query-batch", "reconciliation-result-batch"):
        assert {(name, "valid"), (name, "invalid")} <= kinds


@pytest.mark.parametrize(
    "path",
    sorted((SPEC / "examples" / "reconciliation-query-batch" / "invalid").glob("*.json"))
    if SPEC.is_dir()
    else [],
    ids=lambda p: p.name,
)
def test_the_service_refuses_the_invalid_query_batches_too(path: Path) -> None:
    with pytest.raises(UsageError):
        protocol.parse_batch(path.read_text(encoding="utf-8"), Types.fallback())


# ------------------------------------------------------------------ the service's answers


def test_the_manifest_validates(client: TestClient, validate: Validate) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    manifest = response.json()
    validate("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]
    for part in ("entity", "type", "property"):
        assert manifest["suggest"][part]["service_url"].endswith("/reconcile")
    assert manifest["batchSize"] == protocol.BATCH_LIMIT
    ids = [t["id"] for t in manifest["defaultTypes"]]
    assert "https://w3id.org/actorgraph/ontology#Commune" in ids


QUERIES: dict[str, Any] = {
    "q0": {"query": "Mairie de Paris"},
    "q1": {"query": "Saint-Martin", "properties": [{"pid": "departement", "v": "32"}]},
    "q2": {"query": "CD 33", "type": "https://w3id.org/actorgraph/ontology#Departement"},
    "q3": {"query": "Région Aquitaine", "type": ["ag:Region"], "limit": 2},
    "q4": {"properties": [{"pid": "siren", "v": ["217500016"]}]},
    "q5": {"query": "Association des amis de nulle part"},
    "q6": {"query": "Saint-Martin", "type_strict": "any"},
    "q7": {
        "query": "Bordeaux",
        "properties": [{"pid": "commune", "v": {"id": ORG + "commune-33063", "name": "Bordeaux"}}],
    },
}


def test_a_result_batch_validates(client: TestClient, validate: Validate) -> None:
    response = client.post("/reconcile", data={"queries": json.dumps(QUERIES)})
    assert response.status_code == 200, response.text
    batch = response.json()
    validate("reconciliation-result-batch", batch)
    assert set(batch) == set(QUERIES)
    assert batch["q5"]["result"] == []
    assert batch["q0"]["result"][0]["match"] is True


@pytest.mark.parametrize(
    ("path", "schema", "params"),
    [
        ("/reconcile/suggest/entity", "suggest-entities-response", {"prefix": "bord"}),
        (
            "/reconcile/suggest/entity",
            "suggest-entities-response",
            {"prefix": "SAINT-MART", "cursor": "10"},
        ),
        ("/reconcile/suggest/entity", "suggest-entities-response", {"prefix": "zzzzzz"}),
        ("/reconcile/suggest/type", "suggest-types-response", {"prefix": "comm"}),
        ("/reconcile/suggest/type", "suggest-types-response", {"prefix": ""}),
        ("/reconcile/suggest/property", "suggest-properties-response", {"prefix": "s"}),
        ("/reconcile/properties", "data-extension-property-proposal", {"type": "ag:Commune"}),
        (
            "/reconcile/properties",
            "data-extension-property-proposal",
            {"type": "ag:Organisation", "limit": "3"},
        ),
    ],
)
def test_suggest_and_property_answers_validate(
    client: TestClient, validate: Validate, path: str, schema: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    validate(schema, response.json())


def test_a_data_extension_validates(client: TestClient, validate: Validate) -> None:
    props = [
        "siren",
        "inseeCode",
        "kind",
        "departement",
        "region",
        "epci",
        "parents",
        "wikidata",
        "website",
        "partners",
    ]
    query = {
        "ids": [
            ORG + "ville-de-paris",
            ORG + "commune-33063",
            ORG + "la-27e-region",
            ORG + "epci-243300316",
            ORG + "no-such-thing",
        ],
        "properties": [{"id": p} for p in props],
    }
    validate("data-extension-query", query)
    response = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 200, response.text
    validate("data-extension-response", response.json())
