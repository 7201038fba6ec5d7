"""The same catalogue against a real SPARQL server (``oxigraph serve`` on
127.0.0.1): same rows as the embedded store; failures exit 3 with the URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import free_port, start_server, stop_server

from actorgraph.catalogue import Query, catalogue
from actorgraph.cli import main
from actorgraph.errors import QueryError, ServiceError
from actorgraph.project import Project
from actorgraph.query import bind
from actorgraph.store import EmbeddedStore
from actorgraph.store.remote import RemoteStore
from actorgraph.store.sparql import run_local, uses_service

ROOT = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "queries" / "manifest.json").read_text(encoding="utf-8")
)["cases"]

pytestmark = pytest.mark.server


def case_id(case: dict[str, Any]) -> str:
    return case["query"] + "(" + ",".join(f"{k}={v}" for k, v in case["params"].items()) + ")"


@pytest.fixture(scope="module")
def plain_server(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``oxigraph serve`` with its default flags: the default graph is its own
    (empty) default graph, not the union of the named graphs."""
    folder = tmp_path_factory.mktemp("oxigraph-plain")
    dump = folder / "graph.nq"
    dump.write_bytes(store.ox.dump(format=ox.RdfFormat.N_QUADS) or b"")
    server = start_server(folder / "db", [dump], union=False)
    yield server
    stop_server(server)


@pytest.mark.parametrize("flags", ["union-default-graph", "default flags"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_remote_rows_equal_local_rows(
    project: Project,
    store: EmbeddedStore,
    seed_server: Any,
    plain_server: Any,
    case: dict[str, Any],
    flags: str,
) -> None:
    server = seed_server if flags == "union-default-graph" else plain_server
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    bindings = bind(query, case["params"])
    local = run_local(store, query.text, bindings)
    remote = RemoteStore(server.query_url).answer(query.text, bindings)
    assert remote.variables == local.variables
    assert remote.row_keys() == local.row_keys()


def test_every_local_catalogue_query_is_compared(project: Project) -> None:
    local = {q.name for q in catalogue(project.queries_dir) if not uses_service(q.text)}
    assert local <= {c["query"] for c in CASES}


def test_injection_strings_change_nothing_on_the_server(project: Project, seed_server: Any) -> None:
    remote = RemoteStore(seed_server.query_url)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = remote.answer(count).rows
    query = Query.from_file(project.queries_dir / "search.rq")
    for text in ('"> } ; DROP ALL #', "x\n} ; CLEAR ALL ; #", "\\u0022 } DROP ALL #", "'''"):
        assert remote.answer(query.text, bind(query, {"text": text})).rows == []
    assert remote.answer(count).rows == before


def test_limit_and_construct_remotely(seed_server: Any) -> None:
    remote = RemoteStore(seed_server.query_url)
    answer = remote.answer(
        "SELECT ?s WHERE { ?s a <https://w3id.org/actorgraph/ontology#Resource> }", limit=3
    )
    assert len(answer.rows) == 3 and answer.truncated
    triples = remote.answer(
        "CONSTRUCT { ?p <http://e/led-by> ?o } WHERE { ?p <https://w3id.org/actorgraph/ontology#leader> ?o }"
    ).triples
    assert len(triples) == 4 and all(isinstance(t, ox.Triple) for t in triples)


def test_words_in_comments_do_not_change_how_a_query_or_an_update_is_sent(
    tmp_path: Path,
) -> None:
    """SPARQLWrapper alone would send the query as an update ("deleted") and
    the update as a query ("select"): the server would refuse both."""
    server = start_server(tmp_path / "db")
    try:
        remote = RemoteStore(server.query_url)
        remote.update(
            "# an update\n# select what to add\nINSERT DATA { <http://e/a> <http://e/p> 'x' }"
        )
        rows = remote.answer(
            "# a query\n# the rows deleted by nothing\nSELECT ?o WHERE { <http://e/a> ?p ?o }",
            union=False,
        ).rows
        assert [r["o"].value for r in rows] == ["x"]
    finally:
        stop_server(server)


def test_a_malformed_query_is_a_service_error_with_the_servers_message(seed_server: Any) -> None:
    with pytest.raises(ServiceError) as err:
        RemoteStore(seed_server.query_url).answer("SELECT ?s WHERE { ?s ?p }")
    assert seed_server.query_url in str(err.value)
    assert err.value.exit_code == 3


def test_an_update_is_refused_as_a_query(seed_server: Any) -> None:
    with pytest.raises(QueryError, match="--update"):
        RemoteStore(seed_server.query_url).answer("DROP ALL")


def test_unreachable_endpoint_exits_3_with_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["-C", str(ROOT), "query", "stats", "--endpoint", url])
    assert result.exit_code == 3
    assert url in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_endpoint_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(ServiceError, match="cannot reach"):
        RemoteStore(url, retries=2, backoff=0.01).answer("ASK {}")


def test_cli_runs_a_catalogue_query_remotely(seed_server: Any) -> None:
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(ROOT),
            "query",
            "project-partners",
            "-p",
            "project=la-transfo",
            "--endpoint",
            seed_server.query_url,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 9


def test_update_only_with_update_flag(tmp_path: Path) -> None:
    server = start_server(tmp_path / "db")
    try:
        insert = "INSERT DATA { <http://e/a> <http://e/p> 'x' }"
        args = ["-C", str(ROOT), "query", "--text", insert, "--endpoint", server.query_url]
        refused = CliRunner().invoke(main, args)
        assert refused.exit_code == 2
        done = CliRunner().invoke(main, [*args, "--update"])
        assert done.exit_code == 0, done.stderr
        rows = RemoteStore(server.query_url).answer("SELECT ?o WHERE { <http://e/a> ?p ?o }").rows
        assert [r["o"].value for r in rows] == ["x"]
    finally:
        stop_server(server)


def _rows(stdout: str) -> set[tuple[tuple[str, str], ...]]:
    doc = json.loads(stdout)
    return {
        tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in b.items()))
        for b in doc["results"]["bindings"]
    }


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_cli_answers_the_same_through_store_url(seed_server: Any, case: dict[str, Any]) -> None:
    args = ["-C", str(ROOT), "query", case["query"], "--format", "json"]
    for name, value in case["params"].items():
        args += ["-p", f"{name}={value}"]
    local = CliRunner().invoke(main, args)
    remote = CliRunner().invoke(main, [*args, "--store", seed_server.query_url])
    assert local.exit_code == 0 and remote.exit_code == 0, (local.stderr, remote.stderr)
    assert _rows(remote.stdout) == _rows(local.stdout)


def test_limit_and_offset_go_to_the_server(
    seed_server: Any, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "SELECT ?s WHERE { ?s a <https://w3id.org/actorgraph/ontology#Resource> } ORDER BY ?s"
    sent: list[str] = []
    real = RemoteStore._protocol

    def spy(self: RemoteStore, url: str, query: str, *args: Any) -> Any:
        sent.append(query)
        return real(self, url, query, *args)

    monkeypatch.setattr(RemoteStore, "_protocol", spy)
    remote = RemoteStore(seed_server.query_url).answer(text, limit=3, offset=2)
    assert any(q.rstrip().endswith("LIMIT 4 OFFSET 2") for q in sent)
    local = run_local(store, text).rows[2:5]
    assert remote.rows == local and remote.truncated


def csv_of(case: dict[str, Any], *store: str) -> bytes:
    """``actorgraph query NAME --format csv`` as bytes (embedded, or ``--store URL``)."""
    args = ["-C", str(ROOT), "query", case["query"], "--format", "csv"]
    for name, value in case["params"].items():
        args += ["-p", f"{name}={value}"]
    result = CliRunner().invoke(main, [*args, *(["--store", *store] if store else [])])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.mark.parametrize("flags", ["union-default-graph", "default flags"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_csv_is_byte_identical_on_oxigraph_server(
    seed_server: Any, plain_server: Any, case: dict[str, Any], flags: str
) -> None:
    server = seed_server if flags == "union-default-graph" else plain_server
    assert csv_of(case, server.query_url) == csv_of(case)
