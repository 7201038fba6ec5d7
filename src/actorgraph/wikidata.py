"""A small, polite client for a Wikidata-shaped SPARQL endpoint.

It sends a descriptive User-Agent, gives up after a timeout, retries with
back-off on network errors and on HTTP 429/5xx, and keeps every answer in a
local cache keyed by endpoint and query text, so a rerun asks nothing again.

>>> key = cache_key("https://query.wikidata.org/sparql", "ASK {}")
>>> len(key)
64
>>> with_wikidata_endpoint("SERVICE <https://query.wikidata.org/sparql> { }", "http://127.0.0.1:1/q")
'SERVICE <http://127.0.0.1:1/q> { }'
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import USER_AGENT
from .errors import LinkError, ServiceError
from .fsutil import atomic_write

#: The public Wikidata Query Service, used by default.
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"

#: Bindings of one result row: variable name → value (IRI or literal text).
Row = dict[str, str]


def cache_key(endpoint: str, query: str) -> str:
    """The cache file name of a query sent to an endpoint (SHA-256 of both)."""
    return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()


def with_wikidata_endpoint(text: str, endpoint: str) -> str:
    """A query whose ``SERVICE <https://query.wikidata.org/sparql>`` asks ``endpoint`` instead.

    Catalogue queries name the public endpoint; tests and mirrors swap it this way.
    """
    return text.replace(f"<{WIKIDATA_ENDPOINT}>", f"<{endpoint}>")


@dataclass
class WikidataClient:
    """SELECT queries against ``endpoint``, through SPARQLWrapper, with a cache.

    ``offline``: answer from the cache only (a query not cached gives ``None``).
    ``refresh``: ignore the cache when reading (answers are still stored).
    """

    endpoint: str = WIKIDATA_ENDPOINT
    cache_dir: Path | None = None
    offline: bool = False
    refresh: bool = False
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    asked: int = field(default=0, init=False)

    def _cache_file(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{cache_key(self.endpoint, query)}.json"

    def select(self, query: str) -> list[Row] | None:
        """Rows of a SELECT query, or ``None`` when offline and not cached.

        Raises :class:`LinkError` (exit 3) when the endpoint cannot answer.
        """
        cached = self._cache_file(query)
        if cached is not None and cached.is_file() and not self.refresh:
            try:
                return list(json.loads(cached.read_text(encoding="utf-8"))["rows"])
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache entry is asked again
        if self.offline:
            return None
        rows = self._ask(query)
        if cached is not None:
            doc = {"endpoint": self.endpoint, "query": query, "rows": rows}
            atomic_write(cached, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return rows

    def _ask(self, query: str) -> list[Row]:
        from SPARQLWrapper import JSON, SPARQLWrapper

        from .store import http

        client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        client.setQuery(query)
        client.setReturnFormat(JSON)

        def count() -> None:
            self.asked += 1

        try:
            response = http.send(
                client._createRequest(),
                timeout=self.timeout,
                retries=self.retries,
                backoff=self.backoff,
                sleep=self.sleep,
                what="Wikidata endpoint",
                on_attempt=count,
            )
        except ServiceError as exc:
            raise LinkError(exc.message, field=self.endpoint, hint=exc.hint or _OFFLINE) from None
        try:
            result = json.loads(response.body)
            bindings = result["results"]["bindings"]
        except (ValueError, TypeError, KeyError):
            raise LinkError(
                "the endpoint sent no SPARQL JSON results", field=self.endpoint
            ) from None
        return [{k: v["value"] for k, v in b.items()} for b in bindings]


_OFFLINE = "check the URL and the network, or run with --offline"
