"""Put the project's named graphs into a SPARQL 1.1 server.

Each graph is replaced whole, and is at every moment either the old or the
new one: its triples are first sent into a staging graph (Graph Store
Protocol ``POST`` where the server has it, ``INSERT DATA`` otherwise), in
batches small enough for any server, then moved onto the graph in one update
(``MOVE``). A manifest graph on the server records each pushed graph's
SHA-256 (of its canonical N-Triples) and triple count, so a graph whose
content is already there is skipped: a second push of an unchanged project
sends nothing. After the push, each graph's triple count on the server must
equal the project's, or :class:`~actorgraph.errors.ServiceError` names the
graph.

>>> list(batches(b"<a> <b> <c> .\\n<d> <e> <f> .\\n", 16))
[b'<a> <b> <c> .\\n', b'<d> <e> <f> .\\n']
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import ServiceError
from .namespaces import GRAPH
from .project import group_of
from .rdf import serialize_graphs
from .store import EmbeddedStore
from .store.remote import RemoteStore

#: The graph on the server that records what was pushed.
MANIFEST_GRAPH = str(GRAPH["meta/push-manifest"])
_STAGING = str(GRAPH["meta/staging/"])
_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_TRIPLES = "http://rdfs.org/ns/void#triples"
#: Bytes of N-Triples per request: well under the limits servers set by default.
BATCH_BYTES = 4 * 1024 * 1024
#: Triples per ``INSERT DATA``: a whole text a server's SPARQL parser takes in
#: (Virtuoso 7's runs out of memory a few thousand triples into one).
UPDATE_TRIPLES = 1000


@dataclass
class GraphPlan:
    """One named graph of the project and what the push does with it."""

    graph: str
    group: str
    triples: int
    sha256: str
    data: bytes
    send: bool = True


def batches(data: bytes, size: int = BATCH_BYTES, lines: int | None = None) -> Iterator[bytes]:
    """``data`` (N-Triples) cut at line ends into pieces of about ``size``
    bytes and, when ``lines`` is given, of at most that many triples.

    A graph with blank nodes goes in one piece: a blank node's label means the
    same node only within one request.

    >>> list(batches(b"<a> <b> <c> .\\n<d> <e> <f> .\\n<g> <h> <i> .\\n", 1000, lines=2))
    [b'<a> <b> <c> .\\n<d> <e> <f> .\\n', b'<g> <h> <i> .\\n']
    """
    if b"_:" in data or (len(data) <= size and (lines is None or data.count(b"\n") <= lines)):
        if data:
            yield data
        return
    start = 0
    while start < len(data):
        end = data.rfind(b"\n", start, start + size) + 1
        if end <= start:  # one line longer than a batch
            end = data.index(b"\n", start) + 1
        if lines is not None and data.count(b"\n", start, end) > lines:
            end = start
            for _ in range(lines):
                end = data.index(b"\n", end) + 1
        yield data[start:end]
        start = end


def plan(
    store: EmbeddedStore, remote: RemoteStore, groups: Iterable[str] | None
) -> list[GraphPlan]:
    """The graphs to push (of ``groups``, all by default) and which the server
    already holds with the same content."""
    from .export import select_graphs

    chosen = select_graphs(store, list(groups) if groups else None)
    pushed = _manifest(remote)
    plans = []
    for graph in chosen:
        data = serialize_graphs(store, "nt", [graph])
        digest = hashlib.sha256(data).hexdigest()
        triples = data.count(b"\n")
        plans.append(
            GraphPlan(
                graph,
                group_of(graph),
                triples,
                digest,
                data,
                send=pushed.get(graph) != (digest, triples),
            )
        )
    return plans


def _manifest(remote: RemoteStore) -> dict[str, tuple[str, int]]:
    rows = remote.select(
        f"SELECT ?g ?id ?n WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ "
        f"?g <{_IDENTIFIER}> ?id ; <{_TRIPLES}> ?n }} }}",
        union=False,
    )
    out = {}
    for row in rows:
        ident = row["id"].value
        if ident.startswith("sha256:"):
            try:
                out[row["g"].value] = (ident.removeprefix("sha256:"), int(row["n"].value))
            except ValueError:
                continue
    return out


def push(
    remote: RemoteStore,
    plans: list[GraphPlan],
    *,
    protocol: str = "auto",
    batch_bytes: int = BATCH_BYTES,
    progress: Callable[[int], None] | None = None,
    bulk: bool = False,
) -> list[GraphPlan]:
    """Send the graphs of ``plans`` marked ``send``; return them.

    ``protocol``: ``gsp`` (Graph Store Protocol), ``update`` (SPARQL Update)
    or ``auto`` (the Graph Store Protocol when the server's URL is known).
    ``progress`` is called with the number of bytes sent after each request.

    ``bulk``: a graph the server does not hold yet goes straight into place,
    in one Graph Store ``POST`` that asks for the server's bulk loader
    (Oxigraph's ``no_transaction``; other servers take it as a plain
    ``POST``). Several times faster than a transaction for a first push, but
    readers may see the graph while it loads; a load that fails is dropped,
    and the next push replaces whatever a killed one left.
    """
    use_gsp = protocol == "gsp" or (protocol == "auto" and remote.graph_store is not None)
    present = set(remote.graphs()) if bulk and use_gsp else set()
    sent = []
    for item in plans:
        if not item.send:
            continue
        node = ox.NamedNode(item.graph).value
        if bulk and use_gsp and node not in present and item.triples:
            try:
                remote.append_graph(node, item.data, bulk=True)
            except BaseException:
                remote.update(f"DROP SILENT GRAPH <{node}>")
                raise
            if progress:
                progress(len(item.data))
            _record(remote, node, item)
            sent.append(item)
            continue
        pieces = list(batches(item.data, batch_bytes, None if use_gsp else UPDATE_TRIPLES))
        if use_gsp and len(pieces) == 1:
            # One request replaces the whole graph (Graph Store PUT is atomic).
            remote.replace_graph(node, pieces[0])
            if progress:
                progress(len(pieces[0]))
            _record(remote, node, item)
            sent.append(item)
            continue
        staging = _STAGING + item.sha256
        remote.update(f"DROP SILENT GRAPH <{staging}>")
        for piece in pieces:
            if use_gsp:
                remote.append_graph(staging, piece)
            else:
                remote.update(f"INSERT DATA {{ GRAPH <{staging}> {{ {piece.decode('utf-8')} }} }}")
            if progress:
                progress(len(piece))
        if item.triples:
            remote.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{node}>")
        else:
            remote.update(f"DROP SILENT GRAPH <{node}>")
        _record(remote, node, item)
        sent.append(item)
    return sent


def _record(remote: RemoteStore, node: str, item: GraphPlan) -> None:
    """Write the graph's hash and count into the manifest graph, once it is in place."""
    remote.update(
        f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{node}> ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{node}> "
        f'<{_IDENTIFIER}> "sha256:{item.sha256}" ; <{_TRIPLES}> {item.triples} }} }}'
    )


def verify(remote: RemoteStore, plans: list[GraphPlan]) -> None:
    """Each graph's triple count on the server equals the project's."""
    for item in plans:
        found = remote.count(item.graph)
        if found != item.triples:
            raise ServiceError(
                f"{remote.endpoint}: graph <{item.graph}> holds {found:,} triples on the "
                f"server, {item.triples:,} in the project",
                hint="push again; if it persists, the server changes what it is sent",
            )
