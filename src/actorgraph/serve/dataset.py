"""Routes of the server: the dataset's description (VoID, DCAT) and its dumps
(see ``docs/serve.md``).

- ``/.well-known/void``: VoID (RFC 5785 names the place): the dataset, one
  ``void:subset`` per named graph with its ``void:triples``, the linksets to the
  gazetteer and to Wikidata, the vocabularies, dumps, endpoint and licence;
- ``/catalog``: DCAT: a ``dcat:Catalog`` with the ``dcat:Dataset``, one
  ``dcat:Distribution`` per dump and format, and the SPARQL endpoint as a
  ``dcat:DataService``;
- ``/dumps/``: the whole graph in every format of the writer registry,
  ``actorgraph.<ext>.gz`` (``application/gzip``) and ``actorgraph.<ext>``.

Both descriptions are built as RDF (pyoxigraph quads) and written through the
writer registry, content-negotiated like every document (Turtle by default).
Their own nodes are named under the base URL (``<base>.well-known/void#…``,
``<base>catalog#…``); the project's IRIs (graphs, example resource) stay as
they are. The figures are read from the store once per data version.
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ..namespaces import BASE, ORG_ID, PREFIXES, curie
from ..project import group_of
from ..rdf import registry, serialize_graphs
from ..store import EmbeddedStore, embedded_copy
from . import pages
from .negotiation import document, finish, json_context, not_modified, split_extension
from .site import Site

#: The data's licence, as the ontology and the vocabularies state it
#: (``dcterms:license``); read from the ontology graph when it says so.
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
#: The code's licence (``pyproject.toml``: MIT), as its SPDX IRI.
MIT = "http://spdx.org/licenses/MIT"
#: The resource VoID gives as an example.
EXAMPLE = str(ORG_ID["la-27e-region"])
#: The name of every dump file, before its extensions.
DUMP = "actorgraph"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_VOID = "http://rdfs.org/ns/void#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_PROV = "http://www.w3.org/ns/prov#"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_SCHEMA = "https://schema.org/"
_IANA = "http://www.iana.org/assignments/media-types/"
_EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
_FORMATS = "http://www.w3.org/ns/formats/"

#: W3C format IRIs (``void:feature``) of the registry's formats.
FEATURES = {
    "ttl": "Turtle",
    "nt": "N-Triples",
    "nq": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
}

#: Datasets outside the project that links point into, by links graph name.
WIKIDATA = {
    "title": "Wikidata",
    "homepage": "https://www.wikidata.org/",
    "uri_space": "http://www.wikidata.org/entity/",
    "sparql": "https://query.wikidata.org/sparql",
}

TITLE = {
    "fr": "actorgraph : acteurs de la transformation publique et de la transition écologique en France",
    "en": "actorgraph: actors of public transformation and ecological transition in France",
}
DESCRIPTION = {
    "fr": "Graphe de connaissances des organisations de la transformation publique et de la "
    "transition écologique en France, des projets qu'elles mènent, de leurs partenaires et "
    "des ressources qui s'y rattachent, chaque fait dans le graphe nommé de sa source ; avec "
    "le référentiel des collectivités (géographie INSEE) et les liens vers Wikidata.",
    "en": "Knowledge graph of the organisations of public transformation and ecological "
    "transition in France, the projects they run, their partners and the resources related "
    "to them, each fact in the named graph of its source; with the gazetteer of French "
    "public authorities (INSEE geography) and links to Wikidata.",
}
PUBLISHER = "actorgraph developers"

Endpoint = Callable[[Request], Awaitable[Response]]


# ---- IRIs of the description's own nodes ---------------------------------------


def void_url(site: Site) -> str:
    return site.base_url + ".well-known/void"


def catalog_url(site: Site) -> str:
    return site.base_url + "catalog"


def dataset_node(site: Site) -> str:
    """The dataset, in VoID and DCAT alike."""
    return void_url(site) + "#actorgraph"


def subset_node(site: Site, graph: str) -> str:
    """The VoID subset of one named graph (``#graph/<name>``)."""
    return void_url(site) + "#graph/" + quote(graph.removeprefix(BASE + "graph/"), safe="/")


def dump_url(site: Site, extension: str, compressed: bool = True) -> str:
    return f"{site.base_url}dumps/{DUMP}.{extension}" + (".gz" if compressed else "")


# ---- what the store says ----------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the descriptions say of the data, read from the store once per version."""

    #: (named graph, statements), sorted by graph.
    graphs: list[tuple[str, int]]
    #: named graph → the sources it is ``prov:wasDerivedFrom``.
    derived: dict[str, list[str]]
    #: links graph → linking predicate → link statements (annotated by an owl:Axiom).
    links: dict[str, dict[str, int]]
    #: named graph → namespaces of the predicates and classes it uses.
    vocabularies: dict[str, list[str]]
    licence: str
    #: When the data last changed (``dcterms:modified``).
    modified: datetime
    example: str | None

    @property
    def total(self) -> int:
        return sum(n for _, n in self.graphs)


_LINKS = f"""
SELECT ?g ?p (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?g ?s ?p ?o WHERE {{
    GRAPH ?g {{
      ?axiom a <{_OWL}Axiom> ; <{_OWL}annotatedSource> ?s ;
             <{_OWL}annotatedProperty> ?p ; <{_OWL}annotatedTarget> ?o .
      ?s ?p ?o .
    }}
    FILTER(STRSTARTS(STR(?g), "{BASE}graph/links/"))
  }} }}
}} GROUP BY ?g ?p"""

_TERMS = """
SELECT DISTINCT ?g ?t WHERE {
  { GRAPH ?g { ?s ?t ?o } } UNION { GRAPH ?g { ?s a ?t } FILTER(isIRI(?t)) }
}"""

_DERIVED = f"""
SELECT ?g ?src WHERE {{ GRAPH ?g {{ ?g <{_PROV}wasDerivedFrom> ?src }} }}"""

_LICENCE = f"""
SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{BASE}ontology> <{_DCT}license> ?l }} }}"""

#: Namespaces that are the project's instances, not a vocabulary.
_NOT_VOCABULARIES = {
    PREFIXES[p] for p in ("agorg", "agproj", "agpart", "agres", "agc", "agsrc", "aggraph", "wd")
}


def _namespace(iri: str) -> str | None:
    found = curie(iri, strict=False)
    if found is None:
        return None
    namespace = PREFIXES[found.split(":", 1)[0]]
    return None if namespace in _NOT_VOCABULARIES else namespace


def data_modified(site: Site) -> datetime:
    """When the data last changed: the newest file the project store's manifest
    records, else the newest of the project files loaded, else when the site
    loaded its data (a remote store)."""
    store = site.store
    times: list[int] = []
    if isinstance(store, EmbeddedStore):
        manifest = Path(store.label) / "manifest.json"
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
            times = [int(entry["mtime_ns"]) for entry in doc["files"]]
        except (OSError, ValueError, KeyError, TypeError):
            if site.project is not None:
                times = [
                    s.path.stat().st_mtime_ns for s in site.project.sources() if s.path.is_file()
                ]
    seconds = max(times) / 1e9 if times else site.loaded
    return datetime.fromtimestamp(int(seconds), UTC)


def read_facts(site: Site) -> Facts:
    """Read :class:`Facts` from the store (blocking)."""
    store = site.store
    graphs = [(g, store.count(g)) for g in store.graphs()]
    derived: dict[str, list[str]] = {}
    for row in store.select(_DERIVED, union=False):
        if isinstance(row["src"], ox.NamedNode):
            derived.setdefault(row["g"].value, []).append(row["src"].value)
    links: dict[str, dict[str, int]] = {g: {} for g, _ in graphs if group_of(g) == "links"}
    for row in store.select(_LINKS, union=False):
        links.setdefault(row["g"].value, {})[row["p"].value] = int(row["n"].value)
    vocabularies: dict[str, set[str]] = {}
    for row in store.select(_TERMS, union=False):
        namespace = _namespace(row["t"].value)
        if namespace is not None:
            vocabularies.setdefault(row["g"].value, set()).add(namespace)
    licences = sorted(r["l"].value for r in store.select(_LICENCE, union=False))
    example = EXAMPLE if store.ask(f"ASK {{ <{EXAMPLE}> ?p ?o }}") else None
    return Facts(
        graphs=graphs,
        derived={g: sorted(s) for g, s in derived.items()},
        links={g: dict(sorted(p.items())) for g, p in sorted(links.items())},
        vocabularies={g: sorted(v) for g, v in vocabularies.items()},
        licence=licences[0] if licences else LICENCE_OUVERTE,
        modified=data_modified(site),
        example=example,
    )


class FactsCache:
    """:func:`read_facts` once per data version, one reader at a time."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._lock = threading.Lock()
        self._facts: tuple[str, Facts] | None = None

    def get(self) -> Facts:
        with self._lock:
            version = self.site.version
            if self._facts is None or self._facts[0] != version:
                self._facts = (version, read_facts(self.site))
            return self._facts[1]


# ---- the descriptions, as RDF ---------------------------------------------------------


class _Graph:
    """Triples of the default graph, written in code."""

    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []

    def add(self, s: str, p: str, o: str | ox.Literal) -> None:
        obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
        self.quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj))

    def text(self, s: str, p: str, texts: dict[str, str]) -> None:
        for lang, value in texts.items():
            self.add(s, p, ox.Literal(value, language=lang))


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(_XSD + "integer"))


def _datetime(moment: datetime) -> ox.Literal:
    return ox.Literal(
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=ox.NamedNode(_XSD + "dateTime")
    )


def _common(g: _Graph, site: Site, facts: Facts, node: str) -> None:
    """Title, description, licence, publisher and date, shared by VoID and DCAT."""
    g.text(node, _DCT + "title", TITLE)
    g.text(node, _DCT + "description", DESCRIPTION)
    g.add(node, _DCT + "license", facts.licence)
    publisher = void_url(site) + "#publisher"
    g.add(node, _DCT + "publisher", publisher)
    g.add(publisher, _RDF + "type", _FOAF + "Agent")
    g.add(publisher, _FOAF + "name", ox.Literal(PUBLISHER))
    g.add(node, _DCT + "modified", _datetime(facts.modified))
    g.add(node, _FOAF + "homepage", site.base_url)


def _linkset_target(site: Site, facts: Facts, g: _Graph, links_graph: str) -> str | None:
    """The dataset the links of ``links_graph`` point into: the reference graph
    of the same name (the gazetteer), or Wikidata."""
    name = links_graph.removeprefix(BASE + "graph/links/")
    reference = BASE + "graph/reference/" + name
    if any(graph == reference for graph, _ in facts.graphs):
        return subset_node(site, reference)
    if name == "wikidata":
        node = void_url(site) + "#wikidata"
        g.add(node, _RDF + "type", _VOID + "Dataset")
        g.add(node, _DCT + "title", ox.Literal(WIKIDATA["title"]))
        g.add(node, _FOAF + "homepage", WIKIDATA["homepage"])
        g.add(node, _VOID + "uriSpace", ox.Literal(WIKIDATA["uri_space"]))
        g.add(node, _VOID + "sparqlEndpoint", WIKIDATA["sparql"])
        return node
    return None


def void_quads(site: Site, facts: Facts) -> list[ox.Quad]:
    """The VoID description of the dataset."""
    g = _Graph()
    doc, dataset = void_url(site), dataset_node(site)
    g.add(doc, _RDF + "type", _VOID + "DatasetDescription")
    g.add(doc, _DCT + "title", ox.Literal("VoID description of actorgraph", language="en"))
    g.add(doc, _FOAF + "primaryTopic", dataset)
    g.add(doc, _RDFS + "seeAlso", catalog_url(site))

    g.add(dataset, _RDF + "type", _VOID + "Dataset")
    _common(g, site, facts, dataset)
    g.add(dataset, _VOID + "triples", _integer(facts.total))
    g.add(dataset, _VOID + "uriSpace", ox.Literal(BASE + "id/"))
    g.add(dataset, _VOID + "sparqlEndpoint", site.base_url + "sparql")
    if facts.example:
        g.add(dataset, _VOID + "exampleResource", facts.example)
    g.add(dataset, _VOID + "rootResource", BASE + "ontology")
    for fmt in registry.formats():
        g.add(dataset, _VOID + "dataDump", dump_url(site, fmt.extension))
        if fmt.name in FEATURES:
            g.add(dataset, _VOID + "feature", _FORMATS + FEATURES[fmt.name])
    for namespace in sorted({n for v in facts.vocabularies.values() for n in v}):
        g.add(dataset, _VOID + "vocabulary", namespace)

    for graph, count in facts.graphs:
        subset = subset_node(site, graph)
        g.add(dataset, _VOID + "subset", subset)
        g.add(subset, _RDF + "type", _VOID + "Dataset")
        g.add(subset, _RDF + "type", _SD + "NamedGraph")
        g.add(subset, _SD + "name", graph)
        g.add(subset, _VOID + "triples", _integer(count))
        for source in facts.derived.get(graph, []):
            g.add(subset, _PROV + "wasDerivedFrom", source)
        for namespace in facts.vocabularies.get(graph, []):
            g.add(subset, _VOID + "vocabulary", namespace)

    for links_graph, predicates in facts.links.items():
        name = links_graph.removeprefix(BASE + "graph/links/")
        linkset = void_url(site) + "#linkset/" + quote(name, safe="/")
        target = _linkset_target(site, facts, g, links_graph)
        g.add(subset_node(site, links_graph), _VOID + "subset", linkset)
        parts = [(linkset, None, sum(predicates.values()))] + [
            (f"{linkset}/{quote(curie(p, strict=False) or p, safe=':')}", p, n)
            for p, n in predicates.items()
        ]
        for node, predicate, n in parts:
            g.add(node, _RDF + "type", _VOID + "Linkset")
            g.add(node, _VOID + "subjectsTarget", dataset)
            if target is not None:
                g.add(node, _VOID + "objectsTarget", target)
            g.add(node, _VOID + "triples", _integer(n))
            if predicate is not None:
                g.add(linkset, _VOID + "subset", node)
                g.add(node, _VOID + "linkPredicate", predicate)
    return g.quads


def dcat_quads(site: Site, facts: Facts) -> list[ox.Quad]:
    """The DCAT catalogue: the dataset, its distributions, the SPARQL service."""
    from .. import __version__

    g = _Graph()
    base, doc = site.base_url, catalog_url(site)
    catalog, dataset, service = doc + "#catalog", dataset_node(site), doc + "#sparql"
    g.add(catalog, _RDF + "type", _DCAT + "Catalog")
    _common(g, site, facts, catalog)
    for language in ("FRA", "ENG"):
        g.add(catalog, _DCT + "language", _EU_LANGUAGE + language)
    g.add(catalog, _DCAT + "dataset", dataset)
    g.add(catalog, _DCAT + "service", service)

    g.add(dataset, _RDF + "type", _DCAT + "Dataset")
    _common(g, site, facts, dataset)
    g.add(dataset, _DCAT + "landingPage", base)
    g.add(dataset, _DCT + "spatial", _EU_COUNTRY + "FRA")
    g.add(dataset, _DCT + "conformsTo", BASE + "ontology")
    g.add(dataset, _RDFS + "seeAlso", void_url(site))
    for word in ("transformation publique", "transition écologique", "collectivités"):
        g.add(dataset, _DCAT + "keyword", ox.Literal(word, language="fr"))
    for fmt in registry.formats():
        for compressed in (True, False):
            url = dump_url(site, fmt.extension, compressed)
            node = f"{doc}#dump/{url.rsplit('/', 1)[1]}"
            g.add(dataset, _DCAT + "distribution", node)
            g.add(node, _RDF + "type", _DCAT + "Distribution")
            g.add(node, _DCT + "title", ox.Literal(url.rsplit("/", 1)[1]))
            g.add(node, _DCAT + "downloadURL", url)
            g.add(node, _DCAT + "accessURL", url)
            g.add(node, _DCAT + "mediaType", _IANA + fmt.media_type)
            if compressed:
                g.add(node, _DCAT + "compressFormat", _IANA + "application/gzip")
            g.add(node, _DCT + "license", facts.licence)
            g.add(node, _DCT + "modified", _datetime(facts.modified))
    endpoint = doc + "#sparql-endpoint"
    g.add(dataset, _DCAT + "distribution", endpoint)
    g.add(endpoint, _RDF + "type", _DCAT + "Distribution")
    g.add(endpoint, _DCT + "title", ox.Literal("SPARQL endpoint", language="en"))
    g.add(endpoint, _DCAT + "accessURL", base + "sparql")
    g.add(endpoint, _DCAT + "accessService", service)
    g.add(endpoint, _DCT + "license", facts.licence)

    g.add(service, _RDF + "type", _DCAT + "DataService")
    g.add(service, _DCT + "title", ox.Literal("actorgraph SPARQL 1.1 endpoint", language="en"))
    g.add(service, _DCAT + "endpointURL", base + "sparql")
    g.add(service, _DCAT + "servesDataset", dataset)
    g.add(service, _DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    g.add(service, _DCT + "license", facts.licence)
    software = doc + "#software"
    g.add(service, _SCHEMA + "isBasedOn", software)
    g.add(software, _RDF + "type", _SCHEMA + "SoftwareApplication")
    g.add(software, _SCHEMA + "name", ox.Literal("actorgraph"))
    g.add(software, _SCHEMA + "softwareVersion", ox.Literal(__version__))
    g.add(software, _DCT + "license", MIT)
    return g.quads


def graph_summary(site: Site, graph: str, count: int) -> list[ox.Quad]:
    """What the document of a named graph too big to serve whole says: its VoID
    subset (size, dumps, endpoint), which names it (``sd:name``)."""
    g = _Graph()
    subset = subset_node(site, graph)
    g.add(subset, _RDF + "type", _VOID + "Dataset")
    g.add(subset, _RDF + "type", _SD + "NamedGraph")
    g.add(subset, _SD + "name", graph)
    g.add(subset, _VOID + "triples", _integer(count))
    g.add(subset, _VOID + "sparqlEndpoint", site.base_url + "sparql")
    for fmt in registry.formats():
        if fmt.datasets:
            g.add(subset, _VOID + "dataDump", dump_url(site, fmt.extension))
    g.add(subset, _RDFS + "seeAlso", void_url(site))
    return g.quads


# ---- dumps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    """One format of the whole graph, gzipped (fixed mtime: stable bytes)."""

    extension: str
    media_type: str
    gz: bytes
    #: Bytes once decompressed.
    size: int
    version: str

    @property
    def name(self) -> str:
        return f"{DUMP}.{self.extension}.gz"


@dataclass
class Dumps:
    """The dumps of one site, made once per data version and kept in memory.

    :meth:`get` blocks (run it in a worker thread); one lock per format makes
    sure a dump is never made twice at once, while other formats and other
    requests go on."""

    site: Site
    context: dict[str, Any] | None = None
    #: How many dumps were made (for tests and logs).
    made: int = 0
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _dumps: dict[str, Dump] = field(default_factory=dict)

    def get(self, name: str) -> Dump:
        """The dump of the registry format ``name``."""
        fmt = registry.get(name)
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            version = self.site.version
            found = self._dumps.get(name)
            if found is not None and found.version == version:
                return found
            store = embedded_copy(self.site.store)
            data = serialize_graphs(store, fmt, context=self.context if name == "jsonld" else None)
            dump = Dump(
                fmt.extension,
                fmt.media_type,
                gzip.compress(data, compresslevel=6, mtime=0),
                len(data),
                version,
            )
            del data
            self._dumps[name] = dump
            self.made += 1
            return dump


def _accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (RFC 9110, 12.5.3).

    >>> _accepts_gzip("gzip, deflate"), _accepts_gzip("identity"), _accepts_gzip("*;q=0.5")
    (True, False, True)
    >>> _accepts_gzip("gzip;q=0, *"), _accepts_gzip(None)
    (False, False)
    """
    weights: dict[str, float] = {}
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if coding:
            weights[coding.strip().lower()] = weight
    if "gzip" in weights:
        return weights["gzip"] > 0
    return weights.get("*", 0.0) > 0


def _gunzip(data: bytes, chunk: int = 1 << 20) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits=31)
    for start in range(0, len(data), chunk):
        out = decompressor.decompress(data[start : start + chunk])
        if out:
            yield out
    tail = decompressor.flush()
    if tail:
        yield tail


def _dump_formats() -> dict[str, str]:
    """Extension → registry format name."""
    return {f.extension: f.name for f in registry.formats()}


# ---- routes -----------------------------------------------------------------------------


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""
    context = json_context(site)
    facts = FactsCache(site)
    dumps = Dumps(site, context)

    def described(
        key: str, url: str, build_quads: Callable[[Site, Facts], list[ox.Quad]]
    ) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            extension = request.path_params.get("ext")
            if extension is not None:
                _, found = split_extension("x." + extension)
                if found is None:
                    return finish(request, Response("Not found.\n", 404, media_type="text/plain"))
                extension = found
            return await document(
                request,
                site,
                iri=url,
                url=url,
                extension=extension,
                build=lambda: build_quads(site, facts.get()),
                page=pages.render_entity,
                context=context,
                key=key,
            )

        return endpoint

    void = described("void", void_url(site), void_quads)
    catalog = described("catalog", catalog_url(site), dcat_quads)

    async def index(request: Request) -> Response:
        if request.url.path.endswith("/dumps"):
            return RedirectResponse(site.base_url + "dumps/", status_code=308)
        etag = site.etag("dumps/")
        headers = {"ETag": etag, "Last-Modified": site.last_modified}
        if not_modified(request, etag, site.last_modified):
            return Response(status_code=304, headers=headers)
        made, licence = await run_in_threadpool(
            lambda: ([dumps.get(f.name) for f in registry.formats()], facts.get().licence)
        )
        rows = "\n".join(
            f"<tr><td>{escape(fmt.name)}</td><td><code>{escape(fmt.media_type)}</code></td>"
            f'<td><a href="{escape(dump_url(site, d.extension))}">{escape(d.name)}</a></td>'
            f'<td data-bytes="{len(d.gz)}">{_size(len(d.gz))}</td>'
            f'<td><a href="{escape(dump_url(site, d.extension, False))}">'
            f"{escape(d.name.removesuffix('.gz'))}</a></td>"
            f'<td data-bytes="{d.size}">{_size(d.size)}</td></tr>'
            for fmt, d in zip(registry.formats(), made, strict=True)
        )
        body = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>actorgraph dumps</title></head><body><main><h1>Dumps</h1>"
            "<p>The whole graph, every named graph, in each format (TriG and N-Quads keep the "
            "named graphs; the others hold their union). Licence: "
            f'<a href="{escape(licence)}">{escape(licence)}</a>. '
            f'Described in <a href="{escape(catalog_url(site))}">the catalogue</a> and '
            f'<a href="{escape(void_url(site))}">VoID</a>.</p>'
            "<table><thead><tr><th>format</th><th>media type</th><th>gzip</th><th>size</th>"
            f"<th>uncompressed</th><th>size</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
            "</main></body></html>\n"
        )
        return finish(request, HTMLResponse(body, headers=headers))

    async def download(request: Request) -> Response:
        filename = request.path_params["file"]
        stem, _, extension = filename.removeprefix(DUMP + ".").partition(".")
        name = _dump_formats().get(stem)
        if not filename.startswith(DUMP + ".") or name is None or extension not in ("", "gz"):
            return finish(request, Response("Not found.\n", 404, media_type="text/plain"))
        gz = extension == "gz"
        encoded = not gz and _accepts_gzip(request.headers.get("accept-encoding"))
        etag = site.etag("dumps", filename, "gzip" if encoded else "")
        headers = {
            "ETag": etag,
            "Last-Modified": site.last_modified,
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        if not gz:
            headers["Vary"] = "Accept-Encoding"
        if not_modified(request, etag, site.last_modified):
            return Response(status_code=304, headers=headers)
        dump = await run_in_threadpool(dumps.get, name)
        if gz or encoded:
            headers["Content-Type"] = "application/gzip" if gz else _media(dump.media_type)
            if encoded:
                headers["Content-Encoding"] = "gzip"
            return finish(request, Response(dump.gz, headers=headers))
        headers["Content-Type"] = _media(dump.media_type)
        headers["Content-Length"] = str(dump.size)
        if request.method == "HEAD":
            return Response(b"", headers=headers)
        return StreamingResponse(_gunzip(dump.gz), headers=headers)

    return [
        Route("/.well-known/void", void, methods=["GET", "HEAD"]),
        Route("/.well-known/void.{ext}", void, methods=["GET", "HEAD"]),
        Route("/catalog", catalog, methods=["GET", "HEAD"]),
        Route("/catalog.{ext}", catalog, methods=["GET", "HEAD"]),
        Route("/dumps", index, methods=["GET", "HEAD"]),
        Route("/dumps/", index, methods=["GET", "HEAD"]),
        Route("/dumps/{file}", download, methods=["GET", "HEAD"]),
    ]


def _media(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


def _size(n: int) -> str:
    """
    >>> _size(512), _size(1_400_000)
    ('512 B', '1.3 MiB')
    """
    if n < 1024:
        return f"{n} B"
    if n < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1 << 20):.1f} MiB"


__all__ = [
    "DUMP",
    "EXAMPLE",
    "LICENCE_OUVERTE",
    "MIT",
    "Dump",
    "Dumps",
    "Facts",
    "FactsCache",
    "catalog_url",
    "dataset_node",
    "dcat_quads",
    "dump_url",
    "graph_summary",
    "read_facts",
    "routes",
    "subset_node",
    "void_quads",
    "void_url",
]
