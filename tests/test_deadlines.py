"""Every remote call has one overall deadline: a server that never answers, or
that sends one byte every so often, is given up on when ``--timeout`` passes,
with exit code 3 and a one-line reason (never a traceback)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from actorgraph.cli import main
from actorgraph.errors import LinkError, ServiceError
from actorgraph.store.remote import RemoteStore
from actorgraph.wikidata import WikidataClient

ROOT = Path(__file__).resolve().parent.parent


class Misbehaving:
    """A TCP server on 127.0.0.1 that reads a request then either says
    nothing (``hang``), drips an HTTP answer one byte every ``every`` seconds
    (``drip``), or answers 500 with a long body echoing a query (``boom``)."""

    def __init__(self, mode: str, every: float = 1.0) -> None:
        self.mode = mode
        self.every = every
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if self.mode == "hang":
                    self.stop.wait(60)
                elif self.mode == "drip":
                    head = (
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n"
                    )
                    conn.sendall(head)
                    body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}' * 100
                    for byte in body:
                        if self.stop.wait(self.every):
                            return
                        conn.sendall(bytes([byte]))
                elif self.mode == "boom":
                    body = b"boom: internal error\nSELECT * WHERE { ?s ?p ?o } " + b"x" * 5000
                    conn.sendall(
                        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                        + str(len(body)).encode()
                        + b"\r\n\r\n"
                        + body
                    )
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Misbehaving]:
    srv = Misbehaving(request.param)
    yield srv
    srv.close()


@pytest.mark.parametrize("server", ["hang", "drip"], indirect=True)
def test_a_hanging_or_dripping_server_is_given_up_on_at_the_deadline(server: Misbehaving) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["-C", str(ROOT), "query", "stats", "--store", server.url, "--timeout", "2"]
    )
    took = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert "within 2 s" in result.stderr and server.url in result.stderr
    assert "Traceback" not in result.stderr
    assert took < 6, took  # one deadline for the call, retries included


@pytest.mark.parametrize("server", ["hang"], indirect=True)
def test_the_deadline_covers_the_retries(server: Misbehaving) -> None:
    store = RemoteStore(server.url, timeout=1.5, retries=5, backoff=0.1)
    started = time.monotonic()
    with pytest.raises(ServiceError):
        store.answer("ASK {}")
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("server", ["boom"], indirect=True)
def test_a_server_error_is_one_line_without_the_query(server: Misbehaving) -> None:
    result = CliRunner().invoke(main, ["-C", str(ROOT), "query", "stats", "--store", server.url])
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    assert "HTTP 500" in first and "boom: internal error" in first
    assert "b'" not in result.stderr and "SELECT" not in result.stderr
    assert len(result.stderr) < 600


@pytest.mark.parametrize("server", ["drip"], indirect=True)
def test_the_wikidata_client_has_the_same_deadline(server: Misbehaving, tmp_path: Path) -> None:
    client = WikidataClient(server.url, cache_dir=tmp_path, timeout=2, retries=3)
    started = time.monotonic()
    with pytest.raises(LinkError) as err:
        client.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert err.value.exit_code == 3 and "within 2 s" in str(err.value)
    assert time.monotonic() - started < 6


@pytest.mark.parametrize("server", ["hang"], indirect=True)
def test_a_service_call_that_hangs_exits_3_naming_the_service(
    server: Misbehaving, tmp_path: Path
) -> None:
    query = tmp_path / "federated.rq"
    query.write_text(
        f"SELECT ?o WHERE {{ SERVICE <{server.url}> {{ ?s ?p ?o }} }}\n", encoding="utf-8"
    )
    started = time.monotonic()
    result = CliRunner().invoke(main, ["-C", str(ROOT), "query", str(query), "--timeout", "2"])
    assert result.exit_code == 3, result.output
    assert server.url in result.stderr and "within 2 s" in result.stderr
    assert time.monotonic() - started < 6


def test_an_unreachable_service_exits_3_naming_it(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    query = tmp_path / "federated.rq"
    query.write_text(f"SELECT ?o WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(ROOT), "query", str(query)])
    assert result.exit_code == 3, result.output
    assert url in result.stderr and "Traceback" not in result.stderr
