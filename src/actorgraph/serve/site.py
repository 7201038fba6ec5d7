"""What every route of the server reads: its settings and the :class:`Site`."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import pyoxigraph as ox

from ..namespaces import BASE
from ..project import Project
from ..store import Store

#: SERVICE endpoints a query may call unless the settings say otherwise.
DEFAULT_SERVICES = ("https://query.wikidata.org/sparql",)


@dataclass(frozen=True)
class Settings:
    """How the server runs (``actorgraph serve`` options)."""

    #: Where the project's IRIs (``https://w3id.org/actorgraph/…``) are served.
    base_url: str = "http://127.0.0.1:8000/"
    #: A SPARQL 1.1 server to front instead of the project store.
    store_url: str | None = None
    #: Accept SPARQL updates (with the bearer token of ``token_env``).
    allow_update: bool = False
    #: The environment variable holding the bearer token for updates.
    token_env: str = "ACTORGRAPH_SERVE_TOKEN"
    #: Seconds a query may run before it is answered 503.
    query_timeout: float = 10.0
    #: Seconds a query may wait for a query slot (then 503 with Retry-After):
    #: under a burst, queries queue rather than fail, each still bounded by
    #: ``query_timeout`` once it runs.
    queue_wait: float = 60.0
    #: Most rows (or triples) a query answers.
    result_cap: int = 10_000
    #: SERVICE endpoints a query may call.
    services: tuple[str, ...] = DEFAULT_SERVICES
    #: Largest request body accepted, in bytes.
    max_body: int = 1_000_000
    #: Queries running at once in this process (further ones wait their turn).
    query_slots: int = 2

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")


@dataclass
class Site:
    """The store, the project and the settings, with the IRI ↔ URL mapping.

    >>> site = Site(store=None, project=None, settings=Settings(base_url="http://h/x"))
    >>> site.url("https://w3id.org/actorgraph/id/organisation/fing")
    'http://h/x/id/organisation/fing'
    >>> site.iri("/id/organisation/fing")
    'https://w3id.org/actorgraph/id/organisation/fing'
    >>> site.url("http://www.wikidata.org/entity/Q1")
    'http://www.wikidata.org/entity/Q1'
    """

    store: Store | Any
    project: Project | None
    settings: Settings = field(default_factory=Settings)
    #: When the data was loaded (seconds since the epoch).
    loaded: float = field(default_factory=time.time)
    #: A token that changes whenever the data may have changed (ETags).
    version: str = ""

    def __post_init__(self) -> None:
        if not self.version:
            self.version = hashlib.sha256(f"{self.loaded}".encode()).hexdigest()[:16]

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def url(self, iri: str) -> str:
        """Where ``iri`` is served: project IRIs under the base URL, others as they are."""
        if iri.startswith(BASE):
            return self.settings.base_url + iri[len(BASE) :]
        return iri

    def iri(self, path: str) -> str:
        """The project IRI a request path (``/id/…``) stands for."""
        return BASE + path.lstrip("/")

    def etag(self, *parts: str) -> str:
        """A strong ETag for a document made from the data at this version."""
        digest = hashlib.sha256("\x00".join((self.version, *parts)).encode()).hexdigest()
        return f'"{digest[:24]}"'

    @property
    def last_modified(self) -> str:
        """The ``Last-Modified`` header value of every data document."""
        return formatdate(self.loaded, usegmt=True)


#: The properties that name a node, looked up for an entity's neighbours.
_LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
)
#: Neighbours per label question.
_LABEL_BATCH = 500
#: One branch per label property: with ``VALUES ?p`` instead, Oxigraph scans
#: every label of the graph before the join (1.7 s a batch at 1M triples).
_BY_LABEL = " UNION ".join(f"{{ GRAPH ?g {{ ?s <{p}> ?o }} BIND(<{p}> AS ?p) }}" for p in _LABELS)


def description(store: Store | Any, iri: str) -> list[ox.Quad]:
    """What the server says about ``iri``: its statements, the statements
    pointing at it, and the labels (``rdfs:label``, ``skos:prefLabel``,
    ``schema:name``, ``dcterms:title``) and types of the nodes on their other
    ends — each in the named graph it comes from."""
    node = f"<{iri}>"
    # Two questions, not one: asked in one, pyoxigraph looks the labels up
    # for every node before it joins them with the entity's neighbours.
    around = f"""SELECT ?s ?p ?o ?g WHERE {{
      {{ GRAPH ?g {{ {node} ?p ?o }} BIND({node} AS ?s) }}
      UNION
      {{ GRAPH ?g {{ ?s ?p {node} }} BIND({node} AS ?o) }}
    }}"""
    quads: list[ox.Quad] = []
    seen: set[ox.Quad] = set()

    def add(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
            if quad not in seen:
                seen.add(quad)
                quads.append(quad)

    add(store.select(around, union=False))
    neighbours = sorted(
        {
            term.value
            for quad in quads
            for term in (quad.subject, quad.object)
            if isinstance(term, ox.NamedNode) and term.value != iri
        }
    )
    for start in range(0, len(neighbours), _LABEL_BATCH):
        batch = " ".join(str(ox.NamedNode(n)) for n in neighbours[start : start + _LABEL_BATCH])
        add(
            store.select(
                f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {batch} }} {_BY_LABEL} }}", union=False
            )
        )
    return quads


__all__ = ["DEFAULT_SERVICES", "Settings", "Site", "description"]
