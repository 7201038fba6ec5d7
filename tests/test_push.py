"""``actorgraph push`` into a real ``oxigraph serve`` (default flags) on
127.0.0.1: what the server holds afterwards is the project, graph by graph;
a second push sends nothing; a push cut off part way, then repeated, gives
the whole project; failures exit 3 with a one-line reason."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import SparqlServer, free_port, start_server, stop_server

from actorgraph import push as pushing
from actorgraph.cli import main
from actorgraph.export import select_graphs
from actorgraph.project import Project
from actorgraph.rdf import serialize_graphs
from actorgraph.store.persistent import ProjectStore
from actorgraph.store.remote import RemoteStore

ROOT = Path(__file__).resolve().parent.parent
#: Everything but the 461k-triple gazetteer, which makes each push take seconds.
GROUPS = ["-g", "ontology", "-g", "vocabulary", "-g", "data", "-g", "links"]

pytestmark = pytest.mark.server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SparqlServer]:
    srv = start_server(tmp_path / "db", union=False)
    yield srv
    stop_server(srv)


def run_push(server: SparqlServer, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["-C", str(ROOT), "push", "--to", server.query_url, *GROUPS, *extra]
    )
    return result.exit_code, result.stdout, result.stderr


def project_graphs() -> tuple[object, list[str]]:
    store = ProjectStore(Project(ROOT)).open()
    graphs = select_graphs(store, ["ontology", "vocabulary", "data", "links"])
    return store, graphs


def test_push_then_each_graph_on_the_server_is_the_projects(server: SparqlServer) -> None:
    code, _, err = run_push(server)
    assert code == 0, err
    assert "counts on the server checked" in err
    store, graphs = project_graphs()
    remote = RemoteStore(server.query_url)
    assert set(graphs) <= set(remote.graphs())
    for graph in graphs:
        local = ox.Dataset(
            ox.parse(serialize_graphs(store, "nt", [graph]), format=ox.RdfFormat.N_TRIPLES)
        )  # type: ignore[arg-type]
        there = ox.Dataset(
            ox.parse(remote.read_graph(graph), format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        )
        local.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        there.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        assert local == there, graph


def test_a_second_push_of_an_unchanged_project_sends_nothing(server: SparqlServer) -> None:
    assert run_push(server)[0] == 0
    code, _, err = run_push(server)
    assert code == 0 and "pushed 0 graph(s)" in err
    code, out, _ = run_push(server, "--dry-run")
    assert code == 0 and "send\t" not in out and out.count("skip") >= 10


def test_a_push_cut_off_part_way_then_repeated_gives_the_whole_project(
    server: SparqlServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, graphs = project_graphs()
    remote = RemoteStore(server.query_url)
    plans = pushing.plan(store, remote, ["ontology", "vocabulary", "data", "links"])  # type: ignore[arg-type]
    calls = 0
    real = RemoteStore.replace_graph

    def flaky(self: RemoteStore, graph: str, data: bytes, fmt: str = "nt") -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise ConnectionError("cut off")
        real(self, graph, data, fmt)

    monkeypatch.setattr(RemoteStore, "replace_graph", flaky)
    with pytest.raises(ConnectionError):
        pushing.push(remote, plans)
    monkeypatch.setattr(RemoteStore, "replace_graph", real)
    code, _, err = run_push(server)
    assert code == 0, err
    assert "pushed" in err and "pushed 0 graph(s)" not in err
    for graph in graphs:
        assert remote.count(graph) == store.count(graph), graph  # type: ignore[attr-defined]


def test_batches_through_a_staging_graph_give_the_same_graph(server: SparqlServer) -> None:
    store, _ = project_graphs()
    remote = RemoteStore(server.query_url)
    plans = pushing.plan(store, remote, ["data"])  # type: ignore[arg-type]
    for protocol in ("gsp", "update"):
        for p in plans:
            p.send = True
        pushing.push(remote, plans, protocol=protocol, batch_bytes=20_000)
        pushing.verify(remote, plans)
        staging = [g for g in remote.graphs() if "/meta/staging/" in g]
        assert staging == []


def test_unreachable_server_exits_3() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["-C", str(ROOT), "push", "--to", url, "-g", "data"])
    assert result.exit_code == 3
    assert url in result.stderr and "Traceback" not in result.stderr


def test_credentials_come_from_the_environment_not_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from actorgraph.store.http import authorization

    monkeypatch.setenv("AG_TEST_AUTH", "dba:s3cret")
    assert (
        authorization("http://127.0.0.1:1/q", "AG_TEST_AUTH")
        == "Basic " + base64.b64encode(b"dba:s3cret").decode()
    )
    monkeypatch.setenv("AG_TEST_AUTH", "Bearer abc")
    assert authorization("http://127.0.0.1:1/q", "AG_TEST_AUTH") == "Bearer abc"
    result = CliRunner().invoke(
        main,
        ["-C", str(ROOT), "push", "--to", "http://127.0.0.1:1/q", "--auth-env", "AG_NOT_SET"],
    )
    assert result.exit_code == 2 and "AG_NOT_SET" in result.stderr


def test_a_bulk_push_loads_new_graphs_in_place_and_replaces_others_whole(
    server: SparqlServer,
) -> None:
    store, graphs = project_graphs()
    remote = RemoteStore(server.query_url)
    # one graph already on the server, with other content: replaced, not appended to
    data = "https://w3id.org/actorgraph/graph/la-27e-region"
    remote.replace_graph(data, b"<http://e/a> <http://e/p> <http://e/o> .\n")
    code, _, err = run_push(server, "--bulk")
    assert code == 0, err
    for graph in graphs:
        assert remote.count(graph) == store.count(graph), graph  # type: ignore[attr-defined]
    assert b"http://e/a" not in remote.read_graph(data)
    code, _, err = run_push(server, "--bulk")
    assert code == 0 and "pushed 0 graph(s)" in err, err
