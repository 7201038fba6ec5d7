"""The catalogue on Virtuoso 7 open source (``virtuoso-t`` on 127.0.0.1, the
project bulk-loaded from N-Quads): the same answers as the embedded store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import VirtuosoServer, virtuoso_holding, virtuoso_sql, virtuoso_tools
from rdflib import XSD, Graph, Literal
from test_remote import csv_of
from test_validation_gaps import PREFIXES, duplicates_store

from actorgraph import push as pushing
from actorgraph.catalogue import Query
from actorgraph.cli import main
from actorgraph.export import select_graphs
from actorgraph.project import Project, graph_iri
from actorgraph.query import bind
from actorgraph.store import EmbeddedStore
from actorgraph.store.remote import RemoteStore
from actorgraph.store.sparql import run_local

pytestmark = pytest.mark.server


def test_the_dataset_is_the_projects_graphs_without_virtuosos_own(
    store: EmbeddedStore, virtuoso_server: Any
) -> None:
    remote = RemoteStore(virtuoso_server.query_url)
    assert remote.graphs() == sorted(store.graphs())
    for graph in remote.graphs():
        assert remote.count(graph) == store.count(graph), graph


ROOT = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "queries" / "manifest.json").read_text(encoding="utf-8")
)["cases"]


def case_id(case: dict[str, Any]) -> str:
    return case["query"] + "(" + ",".join(f"{k}={v}" for k, v in case["params"].items()) + ")"


#: Every case of the manifest.
EVERY_CASE = pytest.mark.parametrize("case", CASES, ids=case_id)


@EVERY_CASE
def test_virtuoso_rows_equal_local_rows(
    project: Project, store: EmbeddedStore, virtuoso_server: Any, case: dict[str, Any]
) -> None:
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    bindings = bind(query, case["params"])
    local = run_local(store, query.text, bindings)
    remote = RemoteStore(virtuoso_server.query_url).answer(query.text, bindings)
    assert remote.variables == local.variables
    assert remote.row_keys() == local.row_keys()


# ---- push into Virtuoso ------------------------------------------------------

#: Everything but the 461k-triple gazetteer (bench/push.py pushes that too).
PUSH_GROUPS = ["-g", "ontology", "-g", "vocabulary", "-g", "data", "-g", "links"]


@pytest.fixture(scope="module")
def empty_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso of its own, empty, whose anonymous SPARQL user may update
    (Virtuoso's documented way to open ``/sparql`` and ``/sparql-graph-crud``
    to updates; the server listens on loopback only)."""
    with virtuoso_holding(None, tmp_path_factory.mktemp("virtuoso-push")) as server:
        tools = virtuoso_tools()
        assert tools is not None
        virtuoso_sql(tools[1], server.sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        yield server


_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float}


def by_value(graph: Graph) -> Graph:
    """``graph`` with numbers compared by value: Virtuoso keeps a whole
    ``xsd:decimal`` ("1") as an ``xsd:integer``, the same number."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _NUMERIC:
            o = Literal(str(Decimal(str(o)).normalize()), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def push_to(server: VirtuosoServer, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(ROOT),
            "push",
            "--to",
            server.query_url,
            "--update-endpoint",
            server.query_url,
            "--graph-store",
            server.url + "/sparql-graph-crud",
            *PUSH_GROUPS,
            *extra,
        ],
    )
    return result.exit_code, result.stderr


def test_push_into_virtuoso_gives_the_projects_graphs_and_a_second_push_sends_nothing(
    empty_virtuoso: VirtuosoServer, store: EmbeddedStore
) -> None:
    """Through Virtuoso's Graph Store endpoint (``/sparql-graph-crud``).

    Its SPARQL Update path is not usable for a push: Virtuoso 7 refuses blank
    nodes in ``INSERT DATA`` and cannot create ``xsd:duration`` literals there
    (the next test checks that its refusal is reported, not the query)."""
    remote = RemoteStore(empty_virtuoso.query_url)
    for graph in remote.graphs():  # the other protocol's push, before this one
        remote.update(f"DROP SILENT GRAPH <{graph}>")
    remote.update(f"DROP SILENT GRAPH <{pushing.MANIFEST_GRAPH}>")
    code, err = push_to(empty_virtuoso)
    assert code == 0, err
    pushed = select_graphs(store, ["ontology", "vocabulary", "data", "links"])
    assert remote.graphs() == sorted(pushed)
    for graph in pushed:
        assert remote.count(graph) == store.count(graph), graph
        ours = by_value(Graph().parse(data=store.read_graph(graph), format="nt"))
        theirs = by_value(Graph().parse(data=remote.read_graph(graph), format="nt"))
        assert ours.isomorphic(theirs), graph
    code, err = push_to(empty_virtuoso)
    assert code == 0, err
    assert "pushed 0 graph(s)" in err


def test_a_refused_update_names_virtuosos_reason_in_one_line(
    empty_virtuoso: VirtuosoServer,
) -> None:
    # forget what an earlier push recorded, so that every graph is sent
    RemoteStore(empty_virtuoso.query_url).update(f"DROP SILENT GRAPH <{pushing.MANIFEST_GRAPH}>")
    code, err = push_to(empty_virtuoso, "--protocol", "update")
    assert code == 3
    message = err.splitlines()[0]
    assert "HTTP 500" in message and "Virtuoso" in message and "Error" in message, err
    assert "INSERT DATA" not in err and "b'" not in err


@EVERY_CASE
def test_virtuoso_csv_is_byte_identical(virtuoso_server: Any, case: dict[str, Any]) -> None:
    assert csv_of(case, virtuoso_server.query_url) == csv_of(case)


# ---- accents and duplicates on a Virtuoso of their own -------------------------

#: Texts for ``search``: upper-case accents, œ, a word whose skeleton (its
#: letters but vowels and c) is empty, punctuation inside a word, a fifth word.
SEARCH_TEXTS = [
    "d'urbanisme œuvre",
    "Saint-Étienne",
    "ÉTIENNE   ville",
    "liée",
    "eau",
    "oeuvre",
    "Ville de Saint Etienne une deux",
    "une",
]


@pytest.fixture(scope="module")
def duplicates(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedStore, VirtuosoServer]]:
    """The organisations of ``test_validation_gaps.DUPLICATES`` (same names
    under two IRIs, a shared SIREN, homonyms of the gazetteer) and names with
    characters beyond Latin-1 (œ, ’, «), embedded and in a Virtuoso of their own."""
    store = duplicates_store(project)
    store.load_bytes(
        PREFIXES
        + """
agorg:oeuvre a ag:Association ; skos:prefLabel "Œuvre commune"@fr ;
    skos:altLabel "L'Eau à l'œuvre"@fr .
agorg:three a ag:Association ; skos:prefLabel "Trois"@fr ; ag:siren "732829320" .
agorg:agence-a a ag:Association ; skos:prefLabel "Agence d’urbanisme « Œuvre »"@fr .
agorg:agence-b a ag:Association ; skos:prefLabel "AGENCE D'URBANISME : ŒUVRE"@fr .
""".encode(),
        "ttl",
        graph=graph_iri("data", "accents"),
    )
    with virtuoso_holding(store, tmp_path_factory.mktemp("virtuoso-duplicates")) as server:
        yield store, server


def test_the_duplicate_check_flags_the_same_pairs_on_virtuoso(
    project: Project, duplicates: tuple[EmbeddedStore, VirtuosoServer]
) -> None:
    store, server = duplicates
    query = Query.from_file(project.queries_dir / "duplicate-organisation-violation.rq")
    local = run_local(store, query.text, {})
    # three pairs, each seen from both sides: two by name (one of them written
    # with other punctuation, case and ligature), one by SIREN (three share it:
    # the first and the last are reported, the message counts the third)
    assert len(local.row_keys()) == 6
    assert any(str(row["message"]).endswith(', and as 1 more"@en') for row in local.rows)
    remote = RemoteStore(server.query_url).answer(query.text, {})
    assert remote.row_keys() == local.row_keys()


@pytest.mark.parametrize("text", SEARCH_TEXTS)
def test_search_ignores_case_and_accents_on_virtuoso_as_embedded(
    project: Project, duplicates: tuple[EmbeddedStore, VirtuosoServer], text: str
) -> None:
    store, server = duplicates
    query = Query.from_file(project.queries_dir / "search.rq")
    bindings = bind(query, {"text": text})
    local = run_local(store, query.text, bindings)
    assert local.row_keys(), text  # each text finds something
    remote = RemoteStore(server.query_url).answer(query.text, bindings)
    assert remote.row_keys() == local.row_keys()
