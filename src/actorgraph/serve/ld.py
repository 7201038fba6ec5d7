"""Routes of the server: every project IRI, content-negotiated (see ``docs/serve.md``).

``https://w3id.org/actorgraph/<path>`` is served at ``<base URL><path>``, as
it is (200, no redirect), with ``Content-Location`` naming the variant sent
(``<path>.ttl``…); each variant is a document of its own at that URL.
What a document holds depends on the IRI:

- an instance (``/id/<kind>/<slug>``), a concept, a source, an ontology term…:
  its description (:func:`~.site.description`: its statements, those pointing
  at it, the labels of the nodes at the other ends, each in its named graph),
  with the statements of the hash IRIs below it (``…/la-27e-region#contact``),
  since a fragment never reaches the server. The statements pointing at a node
  are cut at :data:`MAX_INCOMING` (a scheme of 35 000 territories);
- ``/ontology`` (and its ``owl:versionIRI``): the ontology graph whole, so
  every ``/ontology#Term`` is found in it;
- ``/shapes``: the SHACL files (``/shapes/recommended`` that file alone), read
  from the project: shapes are not loaded in the store;
- ``/graph/<name>``: the named graph's statements, with what other graphs say
  of it; above :data:`INLINE_GRAPH_LIMIT` statements (the gazetteer), only
  what is said of it and its VoID description: size, dumps, endpoint.

Statements keep their named graph: TriG and N-Quads show it, Turtle, JSON-LD
and N-Triples write the union. The data's IRIs are never rewritten; only the
links of the HTML pages and the headers point at the base URL.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..namespaces import BASE
from ..project import Project
from . import dataset, pages
from .negotiation import document, json_context, split_extension
from .site import Site, description

#: Statements pointing at one node kept in its description (the first, by
#: subject, predicate and graph); the rest are a SPARQL query away.
MAX_INCOMING = 1000
#: Named graphs larger than this are described, not served whole (see the dumps).
INLINE_GRAPH_LIMIT = 50_000

ONTOLOGY = BASE + "ontology"
SHAPES = BASE + "shapes"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _valid(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


# ---- what a document holds -----------------------------------------------------


def graph_quads(site: Site, graph: str) -> list[ox.Quad]:
    """Every statement of the named ``graph``, in it."""
    node = ox.NamedNode(graph)
    data = site.store.read_graph(graph)
    return [
        ox.Quad(t.subject, t.predicate, t.object, node)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]


def _cap_incoming(iri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` (a description of ``iri``) with at most :data:`MAX_INCOMING`
    statements pointing at it, and labels only of the nodes still present."""
    node = ox.NamedNode(iri)
    incoming = [q for q in quads if q.object == node and q.subject != node]
    if len(incoming) <= MAX_INCOMING:
        return quads
    incoming.sort(key=lambda q: (str(q.subject), str(q.predicate), str(q.graph_name)))
    kept = set(incoming[:MAX_INCOMING])
    outgoing = [q for q in quads if q.subject == node]
    linked = {q.object for q in outgoing} | {q.subject for q in kept}
    return [
        q
        for q in quads
        if q.subject == node or q in kept or (q.object != node and q.subject in linked)
    ]


def _hash_statements(site: Site, iri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
    """The statements of the hash IRIs under ``iri`` that ``quads`` mention."""
    prefix = iri + "#"
    nodes = sorted(
        {
            term.value
            for q in quads
            for term in (q.subject, q.object)
            if isinstance(term, ox.NamedNode) and term.value.startswith(prefix)
        }
    )
    if not nodes:
        return []
    values = " ".join(f"<{n}>" for n in nodes)  # IRIs read from the store: valid
    rows = site.store.select(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
        union=False,
    )
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]


def entity_quads(site: Site, iri: str) -> list[ox.Quad]:
    """The description of one IRI, with its hash IRIs, incoming statements capped."""
    quads = _cap_incoming(iri, description(site.store, iri))
    seen = set(quads)
    for quad in _hash_statements(site, iri, quads):
        if quad not in seen:
            seen.add(quad)
            quads.append(quad)
    return quads


def _version_of(site: Site, iri: str) -> str | None:
    """The ontology whose ``owl:versionIRI`` is ``iri``, if any."""
    rows = site.store.select(
        f"SELECT ?o WHERE {{ GRAPH ?g {{ ?o <{_OWL}versionIRI> <{iri}> }} }} LIMIT 1",
        union=False,
    )
    return rows[0]["o"].value if rows else None


@functools.lru_cache(maxsize=4)
def _shapes(files: tuple[tuple[Path, int], ...]) -> dict[str, list[ox.Quad]]:
    """Each SHACL file's triples under the IRI it describes itself with
    (its ``owl:Ontology`` node), and all of them under ``/shapes``, the
    namespace document of every ``agsh:`` IRI. Keyed by (file, mtime)."""
    documents: dict[str, list[ox.Quad]] = {SHAPES: []}
    ontology = ox.NamedNode(_OWL + "Ontology")
    for path, _ in files:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        documents[SHAPES].extend(quads)
        for t in triples:
            if (
                t.predicate == _RDF_TYPE
                and t.object == ontology
                and isinstance(t.subject, ox.NamedNode)
            ):
                documents.setdefault(t.subject.value, []).extend(quads)
    return documents


def shapes_quads(project: Project | None, iri: str) -> list[ox.Quad]:
    """The SHACL document ``iri`` names (``/shapes``, ``/shapes/recommended``)."""
    if project is None:
        return []
    files = tuple((p, p.stat().st_mtime_ns) for p in project.shapes_files)
    return list(_shapes(files).get(iri, []))


def graph_document(site: Site, graph: str) -> list[ox.Quad]:
    """A named graph's document: its statements and what is said of it, or,
    above :data:`INLINE_GRAPH_LIMIT`, what is said of it and its size and dumps."""
    said = description(site.store, graph)
    count = site.store.count(graph)
    if count > INLINE_GRAPH_LIMIT:
        return [*said, *dataset.graph_summary(site, graph, count)]
    quads = graph_quads(site, graph)
    seen = set(quads)
    return quads + [q for q in said if q not in seen]


def document_quads(site: Site, iri: str) -> list[ox.Quad]:
    """What the document of ``iri`` holds (empty when nothing is known of it)."""
    if not _valid(iri):
        return []
    if iri == SHAPES or iri.startswith(SHAPES + "/"):
        return shapes_quads(site.project, iri)
    if iri.startswith(BASE + "graph/") and iri in site.store.graphs():
        return graph_document(site, iri)
    if iri == ONTOLOGY or iri.startswith(ONTOLOGY + "/"):
        target = iri if iri == ONTOLOGY else _version_of(site, iri)
        if target == ONTOLOGY:
            graph = BASE + "graph/ontology"
            if graph in site.store.graphs():
                return graph_quads(site, graph)
    return entity_quads(site, iri)


# ---- routes ------------------------------------------------------------------------


def _missing(request: Request, site: Site, iri: str) -> Response:
    return pages.not_found_page(request, site)


def routes(site: Site) -> list[BaseRoute]:
    """Every path not taken by the other modules names a project IRI."""
    context = json_context(site)

    async def resolve(request: Request) -> Response:
        path, extension = split_extension(request.path_params["path"])
        iri = site.iri(path)
        return await document(
            request,
            site,
            iri=iri,
            url=site.url(iri),
            extension=extension,
            build=lambda: document_quads(site, iri),
            page=pages.render_entity,
            context=context,
            missing_page=_missing,
        )

    return [Route("/{path:path}", resolve, methods=["GET", "HEAD"], name="ld")]


__all__ = [
    "INLINE_GRAPH_LIMIT",
    "MAX_INCOMING",
    "document_quads",
    "entity_quads",
    "graph_document",
    "graph_quads",
    "routes",
    "shapes_quads",
]
