"""``/sparql`` against the W3C SPARQL 1.1 Protocol tests
(``../shared/w3c/sparql-protocol/manifest.ttl``).

Each test of the manifest is an HTTP exchange described in RDF (``ht:``
terms): requests sent in order, each with the status class it must get and,
for queries, the kind of answer (``boolean`` with its value, ``tabular``,
``RDF``). Every case runs on a fresh server whose store holds the case's
data files, each in the named graph its label names, with updates enabled
(the requests carry the bearer token); the manifest's ``/sparql/`` paths are
the endpoint's ``/sparql``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection
from starlette.testclient import TestClient

from actorgraph.serve import Settings, Site, create_app
from actorgraph.store import EmbeddedStore

SHARED = Path(__file__).resolve().parents[2] / "shared"
MANIFEST = SHARED / "w3c" / "sparql-protocol" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

TOKEN = "w3c-protocol-token"
RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,
}
GRAPHS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


@dataclass
class Step:
    """One request of a case and what its response must be."""

    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: set[int]
    boolean: bool | None = None
    form: str | None = None


@dataclass
class Case:
    name: str
    title: str
    data: list[tuple[Path, str]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


def cases() -> list[Case]:
    """The manifest's tests, in its order."""
    if not MANIFEST.is_file():
        return []
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = g.value(predicate=RDF.type, object=MF.Manifest)
    found = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        case = Case(str(test).rpartition("#")[2], str(g.value(test, MF.name)))
        for data in g.objects(test, UT.graphData):
            path = Path(str(g.value(data, UT.graph)).removeprefix("file://"))
            case.data.append((path, str(g.value(data, RDFS.label))))
        action = g.value(test, MF.action)
        for request in Collection(g, g.value(action, HT.requests)):
            body = g.value(request, HT.body)
            encoded = None
            if body is not None:
                encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
                encoded = str(g.value(body, CNT.chars)).encode(encoding)
            headers = {}
            listed = g.value(request, HT.headers)
            for header in Collection(g, listed) if listed is not None else []:
                headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
            response = g.value(request, HT.resp)
            statuses = {
                int(str(code).rpartition("StatusCode")[2][0])
                for code in g.objects(response, MF.expectedStatus)
            }
            boolean = g.value(response, MF.expectedBoolean)
            form = g.value(response, MF.expectedFormat)
            path = str(g.value(request, HT.absolutePath))
            case.steps.append(
                Step(
                    str(g.value(request, HT.methodName)),
                    path.replace("/sparql/", "/sparql", 1),
                    encoded,
                    headers,
                    statuses,
                    None if boolean is None else bool(boolean.toPython()),
                    None if form is None else str(form),
                )
            )
        found.append(case)
    return found


CASES = cases()


def test_the_manifest_is_read_whole(shared: Path) -> None:
    assert len(CASES) == 34
    assert sum(c.name.startswith("query_") for c in CASES) == 13
    assert all(c.steps and all(s.statuses for s in c.steps) for c in CASES)


def check_answer(step: Step, response: object) -> None:
    media = response.headers.get("content-type", "").split(";")[0]  # type: ignore[attr-defined]
    content: bytes = response.content  # type: ignore[attr-defined]
    if step.form in ("boolean", "tabular"):
        assert media in RESULTS, f"{media} is not a SPARQL results format"
        if RESULTS[media] is None:
            parsed_rows = list(csv.reader(io.StringIO(content.decode())))
            assert parsed_rows and step.form == "tabular"
            return
        parsed = ox.parse_query_results(content, format=RESULTS[media])
        if step.form == "boolean":
            assert isinstance(parsed, ox.QueryBoolean)
            if step.boolean is not None:
                assert bool(parsed) is step.boolean
        else:
            assert isinstance(parsed, ox.QuerySolutions)
            list(parsed)
    elif step.form == "RDF":
        assert media in GRAPHS, f"{media} is not an RDF format the tests name"
        list(ox.parse(content, format=GRAPHS[media]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(shared: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AG_W3C_TOKEN", TOKEN)
    store = EmbeddedStore()
    for path, graph in case.data:
        store.load_file(path, graph=graph)
    settings = Settings(base_url="http://www.example/", allow_update=True, token_env="AG_W3C_TOKEN")
    with TestClient(create_app(Site(store, None, settings)), base_url="http://www.example") as http:
        for number, step in enumerate(case.steps, 1):
            response = http.request(
                step.method,
                step.path,
                content=step.body,
                headers={**step.headers, "Authorization": f"Bearer {TOKEN}"},
            )
            where = f"{case.name} ({case.title}), request {number}"
            assert response.status_code // 100 in step.statuses, (
                f"{where}: HTTP {response.status_code}: {response.text[:300]}"
            )
            if step.form is not None:
                check_answer(step, response)
