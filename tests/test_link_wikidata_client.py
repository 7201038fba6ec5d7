"""The Wikidata client: User-Agent, retries with back-off, cache, offline mode.

A tiny HTTP server on 127.0.0.1 answers as told (first failures, then results).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from actorgraph import USER_AGENT
from actorgraph.errors import LinkError
from actorgraph.wikidata import WikidataClient

RESULTS = {
    "head": {"vars": ["item"]},
    "results": {
        "bindings": [{"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q90"}}]
    },
}


class Scripted(http.server.ThreadingHTTPServer):
    statuses: list[int]
    agents: list[str]


class Handler(http.server.BaseHTTPRequestHandler):
    server: Scripted

    def _answer(self) -> None:
        self.server.agents.append(self.headers.get("User-Agent", ""))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        body = json.dumps(RESULTS).encode() if status == 200 else b"busy"
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Scripted]:
    srv = Scripted(("127.0.0.1", 0), Handler)
    srv.statuses, srv.agents = [], []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url(srv: Scripted) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/sparql"


def test_retries_with_backoff_then_caches(server: Scripted, tmp_path: Path) -> None:
    server.statuses = [503, 429]
    sleeps: list[float] = []
    client = WikidataClient(
        url(server), cache_dir=tmp_path, retries=3, backoff=0.5, sleep=sleeps.append
    )
    rows = client.select("SELECT ?item WHERE { ?item ?p ?o }")
    assert rows == [{"item": "http://www.wikidata.org/entity/Q90"}]
    assert sleeps == [0.5, 1.0]
    assert client.asked == 3
    assert server.agents and all(a == USER_AGENT for a in server.agents)
    # the same question again: answered from the cache
    assert client.select("SELECT ?item WHERE { ?item ?p ?o }") == rows
    assert client.asked == 3 and len(server.agents) == 3
    # offline: the cache answers; a new question gets None, and nothing is sent
    offline = WikidataClient(url(server), cache_dir=tmp_path, offline=True)
    assert offline.select("SELECT ?item WHERE { ?item ?p ?o }") == rows
    assert offline.select("ASK {}") is None and len(server.agents) == 3


def test_gives_up_after_the_retries(server: Scripted, tmp_path: Path) -> None:
    server.statuses = [503, 503, 503]
    client = WikidataClient(url(server), cache_dir=tmp_path, retries=2, sleep=lambda _: None)
    with pytest.raises(LinkError) as err:
        client.select("SELECT ?item WHERE { ?item ?p ?o }")
    assert err.value.exit_code == 3 and client.asked == 3
    assert not list(tmp_path.iterdir())  # nothing cached


def test_a_refused_query_is_not_retried(server: Scripted, tmp_path: Path) -> None:
    server.statuses = [400]
    client = WikidataClient(url(server), cache_dir=tmp_path, retries=3, sleep=lambda _: None)
    with pytest.raises(LinkError):
        client.select("SELECT nonsense")
    assert client.asked == 1
