"""Fixtures of the reconciliation tests: the index of the project's whole graph
(the one the test server serves), and the specification's JSON Schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from actorgraph.reconcile import Reconciler
from actorgraph.serve import Site
from actorgraph.serve.reconcile import service

Validate = Callable[[str, Any], None]


@pytest.fixture(scope="session")
def reconciler(site: Site) -> Reconciler:
    """The index the in-process server (``client``) answers from."""
    return service(site).wait(timeout=120)


@pytest.fixture(scope="session")
def spec(shared: Path) -> Path:
    folder = shared / "reconciliation" / "0.2"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


def schema_registry(spec: Path) -> tuple[Registry, dict[str, dict[str, Any]]]:
    """Every schema of ``spec/schemas``, by file name, and a registry that
    resolves the ``$ref``s between them (by their ``$id``)."""
    schemas: dict[str, dict[str, Any]] = {}
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted((spec / "schemas").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        schemas[path.stem] = doc
        resource = DRAFT7.create_resource(doc)
        uri = doc.get("$id", path.name)
        resources += [(uri, resource), (uri.rstrip("#"), resource)]
    return Registry().with_resources(resources), schemas


@pytest.fixture(scope="session")
def schema_set(spec: Path) -> tuple[Registry, dict[str, dict[str, Any]]]:
    """The registry of the specification's schemas, and the schemas by file name."""
    return schema_registry(spec)


@pytest.fixture(scope="session")
def validators(
    schema_set: tuple[Registry, dict[str, dict[str, Any]]],
) -> dict[str, Draft7Validator]:
    """A draft-7 validator per schema file, ``$ref``s resolved through the registry."""
    registry, schemas = schema_set
    return {name: Draft7Validator(doc, registry=registry) for name, doc in schemas.items()}


@pytest.fixture(scope="session")
def validate(validators: dict[str, Draft7Validator]) -> Validate:
    """Assert that ``instance`` validates against the schema ``name``."""

    def check(name: str, instance: Any) -> None:
        errors = sorted(validators[name].iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, f"{name}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
        )

    return check
