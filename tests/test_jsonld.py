"""JSON-LD outputs: expanded by pyld and by jsonld.js (npm ``jsonld``) they give
the Turtle export's graph; frames nest; schema.org blocks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import unavailable
from pyld import jsonld as pyld
from rdflib import Graph
from rdflib.compare import isomorphic

from actorgraph.export import select_graphs
from actorgraph.project import Project
from actorgraph.rdf import jsonld, serialize_graphs
from actorgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".cache" / "node" / "node_modules"
SMALL = ("ontology", "vocabulary", "data", "links")
LA27 = "https://w3id.org/actorgraph/id/organisation/la-27e-region"


@pytest.fixture(scope="module")
def graphs(store: EmbeddedStore) -> list[str]:
    return select_graphs(store, SMALL)


@pytest.fixture(scope="module")
def context(project: Project) -> dict[str, Any]:
    return jsonld.load_context(project)


@pytest.fixture(scope="module")
def compacted(store: EmbeddedStore, context: dict[str, Any], graphs: list[str]) -> bytes:
    return jsonld.compacted(store, context, graphs)


@pytest.fixture(scope="module")
def turtle_graph(store: EmbeddedStore, graphs: list[str]) -> Graph:
    return Graph().parse(data=serialize_graphs(store, "ttl", graphs), format="turtle")


def nodes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in doc["@graph"]}


def test_compacted_is_deterministic(store, context, graphs, compacted) -> None:
    assert jsonld.compacted(store, context, graphs) == compacted


def test_pyld_expansion_is_the_turtle_graph(compacted: bytes, turtle_graph: Graph) -> None:
    doc = json.loads(compacted)
    nquads = pyld.to_rdf(pyld.expand(doc), {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle_graph)


def test_jsonld_js_expansion_is_the_turtle_graph(
    compacted: bytes, turtle_graph: Graph, tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None:
        unavailable("node is absent: the jsonld.js round trip runs where Node.js is installed (CI)")
    if not (NODE_MODULES / "jsonld").is_dir():
        unavailable(f"jsonld.js is not installed in {NODE_MODULES}: run `make node-deps`")
    path = tmp_path / "graph.jsonld"
    path.write_bytes(compacted)
    done = subprocess.run(
        [node, str(ROOT / "tests" / "jsonld_to_nquads.js"), str(path)],
        capture_output=True,
        env={"NODE_PATH": str(NODE_MODULES), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert isomorphic(Graph().parse(data=done.stdout, format="nt"), turtle_graph)


def test_compacted_uses_short_keys_links_and_language_maps(compacted: bytes) -> None:
    doc = json.loads(compacted)
    assert isinstance(doc["@context"], dict)
    org = nodes(doc)["agorg:la-27e-region"]
    assert org["type"] == "Association"
    assert org["prefLabel"] == {"fr": "La 27e Région"}
    assert set(org["description"]) == {"fr", "en"}
    assert org["homepage"] == "http://www.la27eregion.fr/"
    assert "agc:action-research" in org["approach"]
    assert org["generalInterest"] is True
    resource = next(n for n in doc["@graph"] if n.get("type") == "Resource")
    assert isinstance(resource["listPosition"], int)


def test_frame_organisation_nests_partnerships_projects_resources(store, context, project) -> None:
    doc = json.loads(jsonld.framed(store, context, "organisation", select_graphs(store, ["data"])))
    org = next(n for n in doc["@graph"] if n["id"] == "agorg:la-27e-region")
    reverse = org["@reverse"]
    partnerships = reverse["partnerOf"]
    assert partnerships and all(p["type"] == "Partnership" for p in partnerships)
    led = reverse["leader"]
    assert any(p["id"] == "agproj:la-transfo" for p in led)
    related = reverse["relatedActor"]
    assert len(related) >= 40 and all(r["type"] == "Resource" for r in related)


def test_frame_project_and_resource(store, context) -> None:
    data = select_graphs(store, ["data"])
    projects = json.loads(jsonld.framed(store, context, "project", data))["@graph"]
    transfo = next(p for p in projects if p["id"] == "agproj:la-transfo")
    assert transfo["type"] == "Programme"
    assert all(p["type"] == "Partnership" for p in transfo["@reverse"]["inProject"])
    resources = json.loads(jsonld.framed(store, context, "resource", data))["@graph"]
    assert resources and all(r["type"] == "Resource" for r in resources)
    assert json.loads(jsonld.framed(store, context, "resource", data))["@graph"] == resources


def test_schema_org_profile(store: EmbeddedStore) -> None:
    blocks = json.loads(jsonld.schema_org(store, select_graphs(store, ["data", "links"])))
    by_id = {b["@id"]: b for b in blocks}
    la27 = by_id[LA27]
    assert la27["@context"] == "https://schema.org"
    assert la27["@type"] == "NGO"
    assert la27["name"] == "La 27e Région"
    assert la27["url"] == "http://www.la27eregion.fr/"
    assert la27["email"] == "nguiraud@la27eregion.fr"
    # No source gives the Caisse des Dépôts a kind: a plain Organization.
    cdc = by_id["https://w3id.org/actorgraph/id/organisation/caisse-des-depots"]
    assert cdc["@type"] == "Organization"
    assert cdc["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "SIREN", "value": "180020026"}
    ]


def test_bad_context_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "context.jsonld").write_text('{"@context": {\n  "a": }\n')
    with pytest.raises(Exception, match=r"context.jsonld:2: invalid JSON"):
        jsonld.load_context(Project(tmp_path))


def test_export_command_jsonld(project: Project, compacted: bytes) -> None:
    from click.testing import CliRunner

    from actorgraph.cli import main

    args = ["-C", str(project.root), "export", "--format", "jsonld"]
    for g in SMALL:
        args += ["--graph", g]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == compacted


def test_fast_compaction_gives_pyld_compaction(store, context, graphs, compacted) -> None:
    pyld_doc = json.loads(jsonld.compacted(store, context, graphs, engine="pyld"))
    assert pyld_doc == json.loads(compacted)


def test_fast_compaction_of_awkward_values(context) -> None:
    s = EmbeddedStore()
    s.load_bytes(
        b"""
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "plain" .
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "A"@fr .
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "A2"@fr .
        <https://w3id.org/actorgraph/id/organisation/a> <https://w3id.org/actorgraph/ontology#incubatedBy> "not an IRI" .
        <https://w3id.org/actorgraph/id/organisation/a> <https://w3id.org/actorgraph/ontology#incubatedBy> <http://example.org/x> .
        <https://w3id.org/actorgraph/id/organisation/a> <http://example.org/p> "007"^^<http://www.w3.org/2001/XMLSchema#integer> .
        <https://w3id.org/actorgraph/id/organisation/a> <http://example.org/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .
        <https://w3id.org/actorgraph/id/organisation/a> <http://example.org/p> _:b .
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/actorgraph/ontology#Commune> .
        _:b <http://example.org/q> "x"@en-GB .
        """,
        "nt",
        graph="https://w3id.org/actorgraph/graph/t",
    )
    fast = json.loads(jsonld.compacted(s, context))
    assert fast == json.loads(jsonld.compacted(s, context, engine="pyld"))


def test_fast_compaction_of_escaped_literals(context) -> None:
    s = EmbeddedStore()
    s.load_bytes(
        b"""
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "quote \\" backslash \\\\ tab \\t nl \\n bell \\u0007 del \\u007F \\u00e9"@fr .
        <https://w3id.org/actorgraph/id/organisation/a> <http://www.w3.org/2004/02/skos/core#altLabel> "\\U0001F600 x"@fr .
        <https://w3id.org/actorgraph/id/organisation/b> <http://example.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
        <https://w3id.org/actorgraph/id/organisation/b> <http://example.org/p> "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
        <https://w3id.org/actorgraph/id/organisation/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "not a class" .
        """,
        "nt",
        graph="https://w3id.org/actorgraph/graph/t",
    )
    fast = json.loads(jsonld.compacted(s, context))
    assert fast == json.loads(jsonld.compacted(s, context, engine="pyld"))
    labels = json.dumps(fast, ensure_ascii=False)
    assert "\U0001f600 x" in labels and "\u00e9" in labels
