"""``/sparql`` against hostile clients: huge bodies, runaway queries, SERVICE
calls to where the server must not go, malformed queries; and the safety
headers and CORS on every answer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from conftest import free_port
from starlette.testclient import TestClient

from actorgraph.project import Project
from actorgraph.serve import Settings, Site, create_app
from actorgraph.serve.endpoint import engine
from actorgraph.store import EmbeddedStore
from actorgraph.store.workers import NICENESS

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 1.5


@contextlib.contextmanager
def serving(site: Site, port: int) -> Iterator[str]:
    """``site``'s application run by uvicorn on 127.0.0.1:``port``."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(20)


@pytest.fixture(scope="module")
def on_disk(
    store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Site]]:
    """The server over an on-disk store holding the project's own graphs (the
    gazetteer left out), opened read-only as the project store is: its
    queries run in worker processes."""
    folder = tmp_path_factory.mktemp("disk") / "store"
    writer = EmbeddedStore(folder)
    writer.load_bytes(store.dump([g for g in store.graphs() if "/reference/" not in g]), "nq")
    writer.ox.flush()
    del writer
    port = free_port()
    settings = Settings(base_url=f"http://127.0.0.1:{port}/", query_timeout=TIMEOUT, query_slots=2)
    site = Site(EmbeddedStore(folder, read_only=True), None, settings)
    with serving(site, port) as url:
        yield url, site


# ---- runaway queries ---------------------------------------------------------------------


def test_a_runaway_query_is_stopped_while_others_are_served(on_disk: tuple[str, Site]) -> None:
    url, site = on_disk
    sparql = url + "sparql"
    assert httpx.get(sparql, params={"query": "ASK {}"}, timeout=30).status_code == 200
    workers = engine(site).pool
    before = set(workers.pids)
    assert len(before) == 2
    # the workers run below the server's priority, so that pages keep theirs
    for pid in before:
        assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + min(
            NICENESS, 19 - os.getpriority(os.PRIO_PROCESS, 0)
        )
    finished: dict[str, tuple[float, httpx.Response]] = {}

    def ask(name: str, query: str) -> None:
        answer = httpx.get(sparql, params={"query": query}, timeout=60)
        finished[name] = (time.monotonic(), answer)

    slow = threading.Thread(target=ask, args=("slow", CARTESIAN))
    slow.start()
    time.sleep(0.2)
    ask("other", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    slow.join(60)
    other_at, other = finished["other"]
    slow_at, stopped = finished["slow"]
    assert other.status_code == 200
    assert other_at < slow_at, "the other client waited for the runaway query"
    assert stopped.status_code == 503
    assert f"longer than {TIMEOUT:g} s" in stopped.text and "stopped" in stopped.text
    # Its worker process was killed (and reaped): its CPU is free.
    gone = before - set(workers.pids)
    assert len(gone) == 1
    pid = gone.pop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # A fresh worker takes its place, and queries go on.
    deadline = time.monotonic() + 30
    while len(workers.pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers.pids) == 2 and pid not in workers.pids
    again = httpx.get(sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert again.status_code == 200 and again.json()["boolean"] is True


def test_a_query_that_finds_every_slot_taken_gets_503_and_retry_after(
    project: Project, store: EmbeddedStore
) -> None:
    site = Site(
        store,
        project,
        Settings(base_url="http://testserver/", queue_wait=0.3, query_timeout=5, query_slots=1),
    )
    slots = engine(site).slots
    assert asyncio.run(slots.acquire(0)) is True  # the one slot, held by "another query"
    try:
        with TestClient(create_app(site)) as http:
            busy = http.get("/sparql", params={"query": "ASK {}"})
            assert busy.status_code == 503 and busy.headers["retry-after"] == "2"
            assert "slot" in busy.text
    finally:
        slots.release()
    with TestClient(create_app(site)) as http:
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_query_waits_for_a_slot_longer_than_a_query_may_run(
    project: Project, store: EmbeddedStore
) -> None:
    """A burst queues: the wait for a slot is --queue-wait, not --timeout."""
    site = Site(
        store,
        project,
        Settings(base_url="http://testserver/", queue_wait=10, query_timeout=0.2, query_slots=1),
    )
    slots = engine(site).slots
    assert asyncio.run(slots.acquire(0)) is True
    freed = threading.Timer(1.0, slots.release)  # the other query ends after 1 s
    freed.start()
    try:
        with TestClient(create_app(site)) as http:
            started = time.monotonic()
            answered = http.get("/sparql", params={"query": "ASK {}"})
            assert answered.status_code == 200, answered.text
            assert time.monotonic() - started >= 0.9  # it did wait for the slot
    finally:
        freed.join()


def test_a_slow_query_on_a_store_in_memory_gets_503_and_keeps_its_slot() -> None:
    small = EmbeddedStore()
    small.load_bytes(
        b"".join(b'<http://e/s%d> <http://e/p> "%d" .\n' % (i, i) for i in range(200)),
        "nt",
        graph="http://e/g",
    )
    settings = Settings(base_url="http://testserver/", query_timeout=0.1, query_slots=1)
    site = Site(small, None, settings)
    with TestClient(create_app(site)) as http:
        stopped = http.get("/sparql", params={"query": CARTESIAN})
        assert stopped.status_code == 503 and "longer than 0.1 s" in stopped.text
        # The query still runs (threads cannot stop it): its slot is not
        # handed to the next query until it ends.
        assert engine(site).slots.free == 0
        deadline = time.monotonic() + 120
        while engine(site).slots.free == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# ---- bodies ------------------------------------------------------------------------------


def test_a_10_mb_query_is_refused_413(client: TestClient) -> None:
    huge = "ASK { " + "?s ?p ?o . " * 1_000_000 + "}"
    assert len(huge) > 10_000_000
    direct = client.post(
        "/sparql", content=huge.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert direct.status_code == 413 and "1,000,000 bytes" in direct.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536].encode()

    streamed = client.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert streamed.status_code == 413


def test_a_huge_body_to_reconcile_is_refused_in_json(client: TestClient) -> None:
    refused = client.post("/reconcile", data={"queries": "x" * 2_000_000})
    assert refused.status_code == 413
    assert "over 1,000,000 bytes" in refused.json()["error"]


def _exchange(port: int, head: bytes, body_chunks: Iterator[bytes] | None = None) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        with contextlib.suppress(OSError):
            for chunk in body_chunks or ():
                sock.sendall(chunk)
        answer = b""
        with contextlib.suppress(OSError):
            while not answer.endswith(b"\r\n\r\n") or b"HTTP/1.1" not in answer:
                piece = sock.recv(65536)
                if not piece:
                    break
                answer += piece
        return answer


def test_a_huge_body_is_refused_before_it_is_read(on_disk: tuple[str, Site]) -> None:
    url, _ = on_disk
    port = int(url.rsplit(":", 1)[1].strip("/"))
    announced = _exchange(
        port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 10000000\r\n\r\n",
    )  # nothing of the body sent: the answer comes anyway
    assert announced.startswith(b"HTTP/1.1 413")

    def chunked() -> Iterator[bytes]:
        # A body without a length, just over the bound, then a pause: the
        # server has read all that was sent when it answers.
        for _ in range(17):
            yield b"10000\r\n" + b"#" * 0x10000 + b"\r\n"

    streamed = _exchange(
        port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        chunked(),
    )
    assert streamed.startswith(b"HTTP/1.1 413")


# ---- SERVICE -----------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, list[int]]]:
    """A socket on 127.0.0.1 that counts the connections it gets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", hits
    stop.set()
    thread.join(5)
    server.close()


#: Queries that call the listener, each written to slip past a naive reading of
#: the text (every one makes pyoxigraph connect when run directly).
def calls(endpoint: str) -> dict[str, str]:
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        "lower case, silent": f"select * where {{ sErViCe silent <{endpoint}> {{ ?s ?p ?o }} }}",
        "comment ended by a lone CR": f"SELECT * WHERE {{ BIND(1 AS ?x) # note\r SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        "escaped # in a prefixed name": (
            f"PREFIX e: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s e:a\\#b ?o }} "
            f"SERVICE <{endpoint}> {{ ?a ?b ?c }} }}"
        ),
        "keyword glued to true": f"SELECT * WHERE {{ ?s ?p trueSERVICE <{endpoint}> {{ ?a ?b ?c }} }}",
        "keyword glued to a prefix": f"PREFIX : <{endpoint}> SELECT * WHERE {{ SERVICE:x {{ ?a ?b ?c }} }}",
        "prefixed endpoint": f"PREFIX l: <{endpoint}> SELECT * WHERE {{ SERVICE l: {{ ?a ?b ?c }} }}",
        "relative endpoint": (
            f"BASE <{endpoint.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"
        ),
        "less-than read as an IRI": (
            f"SELECT * WHERE {{ BIND(1 AS ?o) FILTER(?o<'x>' || true) "
            f"SERVICE <{endpoint}> {{ ?a ?b ?c }} FILTER(1>'' || true) }}"
        ),
        "comment inside a would-be IRI": (
            f"PREFIX e: <http://e/> SELECT * WHERE {{ BIND(1 AS ?o) FILTER(?o<e:x#>'''\n|| true) "
            f"SERVICE <{endpoint}> {{ ?a ?b ?c }} FILTER(?o != '''a''') }}"
        ),
    }


def test_the_listener_would_see_each_call(listener: tuple[str, list[int]]) -> None:
    """The control: run directly by pyoxigraph, each query does connect."""
    endpoint, hits = listener
    for name, query in calls(endpoint).items():
        before = len(hits)
        direct = ox.Store()
        direct.update("INSERT DATA { <http://e/s> <http://e/p> true }")
        with contextlib.suppress(OSError, RuntimeError):
            list(direct.query(query))
        deadline = time.monotonic() + 5
        while len(hits) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(hits) > before, f"{name}: pyoxigraph did not call the listener"


def test_service_to_an_endpoint_not_allowed_is_refused_and_never_called(
    listener: tuple[str, list[int]],
) -> None:
    endpoint, hits = listener
    data = EmbeddedStore()
    data.load_bytes(b"<http://e/s> <http://e/p> true .", "ttl", graph="http://e/g")
    site = Site(data, None, Settings(base_url="http://testserver/"))
    with TestClient(create_app(site)) as http:
        for name, query in calls(endpoint).items():
            refused = http.post("/sparql", data={"query": query})
            assert refused.status_code == 400, f"{name}: {refused.status_code} {refused.text}"
            assert "SERVICE refused" in refused.text
        variable = http.get(
            "/sparql",
            params={
                "query": f"SELECT * WHERE {{ VALUES ?e {{ <{endpoint}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
            },
        )
        assert variable.status_code == 400 and "?e" in variable.text
    time.sleep(0.5)
    assert hits == [], "the server connected to an endpoint it was not allowed"


def test_service_to_an_allowed_endpoint_is_called(listener: tuple[str, list[int]]) -> None:
    endpoint, hits = listener
    site = Site(
        EmbeddedStore(), None, Settings(base_url="http://testserver/", services=(endpoint,))
    )
    with TestClient(create_app(site)) as http:
        answer = http.get(
            "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"}
        )
        assert answer.status_code == 502 and endpoint in answer.text  # the listener hung up
    assert hits


# ---- malformed queries, headers, CORS ----------------------------------------------------------


def test_a_malformed_query_is_400_with_the_parsers_message(client: TestClient) -> None:
    for query in ("SELECT * WHERE {", "ASK { ?s ?p ?o", "SELECT ?x WHERE { ?x ?y }", "\x00"):
        answer = client.get("/sparql", params={"query": query})
        assert answer.status_code == 400 and answer.text.strip(), query


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for answer in (
        client.get("/sparql", params={"query": "ASK {}"}),
        client.get("/sparql", headers={"Accept": "text/html"}),
        client.get("/sparql", params={"query": "ASK {"}),
        client.get("/no/such/page"),
    ):
        headers = answer.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] and headers["x-frame-options"] == "DENY"


def test_cors_preflight_and_simple_requests(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    simple = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "X-Actorgraph-Truncated" in simple.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in client.get("/no/such/page").headers


def test_the_worker_pool_stops_with_the_application(store: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    EmbeddedStore(folder).load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
    site = Site(
        EmbeddedStore(folder, read_only=True), None, Settings(base_url="http://testserver/")
    )
    with TestClient(create_app(site)) as http:
        assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        pids = engine(site).pool.pids
        assert pids
    for pid in pids:  # the application's shutdown stopped them
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_an_iri_of_another_scheme_is_never_a_link() -> None:
    """``javascript:`` and ``data:`` IRIs, from the data or from a query's
    answer, are shown as text: no page links to them."""
    store = EmbeddedStore()
    store.load_bytes(
        b"<https://w3id.org/actorgraph/id/organisation/trap> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/actorgraph/ontology#Association> .\n"
        b"<https://w3id.org/actorgraph/id/organisation/trap> <https://schema.org/url> "
        b"<javascript:alert(1)> .\n"
        b"<https://w3id.org/actorgraph/id/organisation/trap> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
        b"<data:text/html,hello> .\n",
        "nt",
        graph="https://w3id.org/actorgraph/graph/trap",
    )
    site = Site(store, None, Settings(base_url="http://testserver/"))
    html = {"Accept": "text/html"}
    with TestClient(create_app(site), base_url="http://testserver") as http:
        page = http.get("/id/organisation/trap", headers=html)
        answer = http.get(
            "/sparql",
            params={"query": "SELECT ?o WHERE { ?s ?p ?o FILTER isIRI(?o) }"},
            headers=html,
        )
    assert "javascript:alert(1)" in answer.text  # shown, but not as a link
    for response in (page, answer):
        assert response.status_code == 200
        assert 'href="javascript:' not in response.text
        assert 'href="data:' not in response.text
