"""A server that refuses, or answers garbage, in front of a real ``oxigraph
serve``: each verb exits 3 with a one-line reason, and a push that fails
part way leaves every graph on the server either the old or the new one."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SparqlServer, start_server, stop_server

from actorgraph import push as pushing
from actorgraph.cli import main
from actorgraph.errors import ServiceError
from actorgraph.store import EmbeddedStore
from actorgraph.store.remote import RemoteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = "https://w3id.org/actorgraph/graph/la-27e-region"

pytestmark = pytest.mark.server

#: What the proxy does with one request: None to forward it, or (status,
#: media type, body) to answer in the server's place.
Rule = Callable[[str, str, bytes], tuple[int, str, bytes] | None]


@dataclass
class Proxy:
    """Forwards to ``upstream`` unless ``rule`` answers first; counts requests."""

    upstream: str
    rule: Rule = lambda method, path, body: None
    seen: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.seen.append((self.command, self.path))
            answer = proxy.rule(self.command, self.path, body)
            if answer is None:
                request = urllib.request.Request(
                    proxy.upstream + self.path,
                    data=body if self.command in ("POST", "PUT") else None,
                    method=self.command,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as up:
                        answer = (up.status, up.headers.get("Content-Type", ""), up.read())
                except urllib.error.HTTPError as exc:
                    answer = (exc.code, exc.headers.get("Content-Type", ""), exc.read())
            status, media, data = answer
            self.send_response(status)
            if media:
                self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _any

    return Handler


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SparqlServer]:
    srv = start_server(tmp_path / "db", union=False)
    yield srv
    stop_server(srv)


@pytest.fixture
def proxy(server: SparqlServer) -> Iterator[Proxy]:
    front = Proxy(server.url)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(front))
    front.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield front
    httpd.shutdown()
    httpd.server_close()


def refuse(status: int, body: bytes = b"", media: str = "text/plain") -> Rule:
    return lambda method, path, data: (status, media, body)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("actorgraph: error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "b'" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("status", [401, 403])
def test_wrong_credentials_exit_3_in_one_line(proxy: Proxy, status: int) -> None:
    proxy.rule = refuse(status, b"Access denied\n<html>...</html>")
    for args in (
        ["query", "stats", "--store", proxy.url + "/query"],
        ["push", "--to", proxy.url + "/query", "-g", "data"],
    ):
        result = CliRunner().invoke(main, ["-C", str(ROOT), *args])
        assert result.exit_code == 3, (args, result.output)
        line = one_line(result.stderr)
        assert f"HTTP {status}" in line and "Access denied" in line
        assert "credentials" in result.stderr or "--auth-env" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("media", "body"),
    [
        (
            "application/sparql-results+json",
            b'{"head": {"vars": ["n"]}, "results": {"bindings": [{',
        ),
        ("text/html", b"<html><body>Welcome to nginx!</body></html>"),
        ("application/sparql-results+json", b"\xff\xfe garbage \x00"),
    ],
    ids=["cut-json", "html-page", "bytes"],
)
def test_garbage_answers_exit_3_in_one_line(proxy: Proxy, media: str, body: bytes) -> None:
    proxy.rule = refuse(200, body, media)
    result = CliRunner().invoke(
        main, ["-C", str(ROOT), "query", "stats", "--store", proxy.url + "/query"]
    )
    assert result.exit_code == 3, result.output
    assert proxy.url in one_line(result.stderr)


def _changed(store: EmbeddedStore) -> EmbeddedStore:
    """A copy of the project with its data graph grown by 3,000 triples: a
    graph the push must send in several batches."""
    copy = EmbeddedStore()
    copy.load_bytes(store.dump(), "nq")
    extra = "".join(
        f'<https://w3id.org/actorgraph/id/organisation/x{i}> <http://www.w3.org/2004/02/skos/core#prefLabel> "X {i}" .\n'
        for i in range(3000)
    )
    copy.load_bytes(extra.encode(), "nt", graph=DATA)
    return copy


@pytest.mark.parametrize(
    "fail_at",
    ["second batch", "move", "manifest"],
)
def test_a_push_failing_part_way_leaves_each_graph_old_or_new(
    proxy: Proxy, server: SparqlServer, store: EmbeddedStore, fail_at: str
) -> None:
    direct = RemoteStore(server.query_url)
    old = pushing.plan(store, direct, ["data"])
    pushing.push(direct, old)
    before = {p.graph: direct.read_graph(p.graph) for p in old}

    posts = 0

    def rule(method: str, path: str, body: bytes) -> tuple[int, str, bytes] | None:
        nonlocal posts
        if fail_at == "second batch" and method == "POST" and path.startswith("/store"):
            posts += 1
            if posts == 2:
                return (403, "text/plain", b"Forbidden: quota exceeded")
        if fail_at == "move" and b"MOVE" in body:
            return (500, "text/plain", b"Internal error")
        if fail_at == "manifest" and b"push-manifest" in body and b"INSERT" in body:
            return (200, "text/html", b"<html>not an update answer</html>")
        return None

    proxy.rule = rule
    new_store = _changed(store)
    remote = RemoteStore(proxy.url + "/query")
    plans = pushing.plan(new_store, remote, ["data"])
    assert [p.graph for p in plans if p.send] == [DATA]
    failed = False
    try:
        pushing.push(remote, plans, batch_bytes=50_000)
    except ServiceError as exc:
        failed = True
        assert "\n" not in str(exc)
    # a refused batch or MOVE stops the push; an update's answer body is not read
    assert failed == (fail_at != "manifest"), fail_at
    after = direct.read_graph(DATA)
    new = new_store.read_graph(DATA)
    assert sorted(after.splitlines()) in (
        sorted(before[DATA].splitlines()),
        sorted(new.splitlines()),
    ), fail_at
    for graph, data in before.items():
        if graph != DATA:
            assert direct.read_graph(graph) == data
    # no staging graph left behind that a reader could take for the project's
    assert all("/meta/" not in g for g in direct.graphs())

    # and the next push, with the server behaving, gives the new project
    proxy.rule = lambda method, path, body: None
    pushing.push(remote, pushing.plan(new_store, remote, ["data"]))
    assert sorted(direct.read_graph(DATA).splitlines()) == sorted(new.splitlines())


def test_a_bulk_load_that_fails_leaves_no_part_of_the_graph(
    proxy: Proxy, server: SparqlServer, store: EmbeddedStore
) -> None:
    def rule(method: str, path: str, body: bytes) -> tuple[int, str, bytes] | None:
        if method == "POST" and "no_transaction" in path:
            # the server loads it all, then the answer is lost on the way back
            request = urllib.request.Request(
                server.url + path,
                data=body,
                method="POST",
                headers={"Content-Type": "application/n-triples"},
            )
            urllib.request.urlopen(request, timeout=30).close()
            return (502, "text/plain", b"Bad gateway")
        return None

    proxy.rule = rule
    remote = RemoteStore(proxy.url + "/query")
    plans = pushing.plan(store, remote, ["data"])
    with pytest.raises(ServiceError, match="HTTP 502"):
        pushing.push(remote, plans, bulk=True)
    direct = RemoteStore(server.query_url)
    assert direct.count(DATA) == 0  # dropped: the push did not complete
    pushing.push(direct, pushing.plan(store, direct, ["data"]), bulk=True)
    assert direct.count(DATA) == store.count(DATA)
