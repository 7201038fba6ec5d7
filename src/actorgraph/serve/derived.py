"""What the pages compute from the whole graph, once per data version.

The search index, the validation results by focus node, the partnership
network with its measures and pictures, and the home page's counts are each
made on first use and kept until :attr:`Site.version` changes (every entry of
a site's :class:`Derived` is dropped then). Pictures of one organisation's
neighbourhood are kept for the most recently asked ones only.

>>> entry = Entry("https://w3id.org/actorgraph/id/organisation/x", "organisation")
>>> index = SearchIndex([entry], [("La 27e Région", "fr", 0)])
>>> [(hit.entry.kind, hit.label) for hit in index.search("la 27E region")[1]]
[('organisation', 'La 27e Région')]
>>> index.search("27e")[0], index.search("region 27")[0], index.search("28e")[0]
(1, 1, 0)
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from ..match import normalise, words
from ..namespaces import (
    BASE,
    CONCEPT_ID,
    GRAPH,
    ORG_ID,
    PROJECT_ID,
    RESOURCE_ID,
    SOURCE_ID,
    sparql_prefixes,
)
from ..project import group_of

if TYPE_CHECKING:
    from ..network import Measures, Network
    from ..validation import Result
    from .site import Site

log = logging.getLogger(__name__)
T = TypeVar("T")

AG = BASE + "ontology#"
ONTOLOGY = BASE + "ontology"
REFERENCE = str(GRAPH) + "reference/"

#: How many neighbourhood pictures are kept.
PICTURES_KEPT = 64


class Derived:
    """A site's derived data, valid for one data version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._version: str | None = None
        self._values: dict[str, Any] = {}
        self.pictures: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()

    def get(self, version: str, key: str, build: Callable[[], T]) -> T:
        """The value of ``key`` at ``version``, built once (one builder at a time per key)."""
        with self._lock:
            if self._version != version:
                self._values.clear()
                self.pictures.clear()
                self._version = version
            if key in self._values:
                return self._values[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if self._version == version and key in self._values:
                    return self._values[key]
            value = build()
            with self._lock:
                if self._version == version:
                    self._values[key] = value
        return value


_DERIVED: dict[int, tuple[weakref.ref[Any], Derived]] = {}
_DERIVED_LOCK = threading.Lock()


def derived(site: Site) -> Derived:
    """The :class:`Derived` of ``site`` (one per Site object)."""
    with _DERIVED_LOCK:
        found = _DERIVED.get(id(site))
        if found is not None and found[0]() is site:
            return found[1]
        made = Derived()
        key = id(site)

        def forget(_: object) -> None:
            with _DERIVED_LOCK:
                entry = _DERIVED.get(key)
                if entry is not None and entry[0]() is None:
                    del _DERIVED[key]

        _DERIVED[key] = (weakref.ref(site, forget), made)
        return made


# ---------------------------------------------------------------- search


@dataclass(frozen=True, slots=True)
class Entry:
    """A thing the search finds: its IRI, kind (``organisation``, ``authority``,
    ``project``, ``resource``, ``concept``, ``scheme``, ``territory``, ``term``,
    ``source``), territory level, and labels (text, language)."""

    iri: str
    kind: str
    level: str = ""
    names: tuple[tuple[str, str], ...] = ()
    code: str = ""

    def name(self, lang: str) -> str:
        for wanted in (lang, "fr", "en", ""):
            for text, tag in self.names:
                if tag == wanted:
                    return text
        return self.names[0][0] if self.names else self.iri.rsplit("/", 1)[-1]


#: Kinds in the order results are listed.
KIND_ORDER = (
    "organisation",
    "project",
    "resource",
    "territory",
    "concept",
    "scheme",
    "authority",
    "term",
    "source",
)
_LEVEL_ORDER = {"region": 0, "departement": 1, "commune": 2}


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    #: The label that matched, and whether it is the entry's own name.
    label: str
    score: int


@dataclass
class SearchIndex:
    """Labels of every named thing, folded (case, accents, punctuation) for search."""

    entries: list[Entry]
    #: (label, language, index of its entry)
    labels: list[tuple[str, str, int]]
    _folded: list[tuple[str, str, int, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._folded = [(words(text), normalise(text), i, text) for text, _, i in self.labels]

    def search(self, query: str, kind: str | None = None, limit: int = 50) -> tuple[int, list[Hit]]:
        """How many things match every word of ``query``, and the best ``limit`` of them."""
        wanted = words(query)
        if not wanted:
            return 0, []
        bare = normalise(query)
        tokens = wanted.split()
        first = max(tokens, key=len)
        best: dict[int, Hit] = {}
        for folded, bare_label, i, text in self._folded:
            if first not in folded:
                continue
            entry = self.entries[i]
            if kind and entry.kind != kind:
                continue
            if folded in (wanted, bare) or bare_label in (wanted, bare):
                score = 0
            elif folded.startswith(wanted) or bare_label.startswith(bare):
                score = 1
            else:
                starts = folded.split()
                if all(any(w.startswith(t) for w in starts) for t in tokens):
                    score = 2
                elif all(t in folded for t in tokens):
                    score = 3
                else:
                    continue
            found = best.get(i)
            if found is None or score < found.score:
                best[i] = Hit(entry, text, score)
        ranked = sorted(
            best.values(),
            key=lambda h: (
                h.score,
                KIND_ORDER.index(h.entry.kind),
                _LEVEL_ORDER.get(h.entry.level, 0),
                len(h.label),
                h.label,
                h.entry.iri,
            ),
        )
        return len(ranked), ranked[:limit]


_PREFIXES = sparql_prefixes()

_LABELS = (
    _PREFIXES
    + """
SELECT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel skos:hiddenLabel dcterms:title rdfs:label igeo:nom }
  ?x ?p ?l .
  FILTER (isIRI(?x) && isLiteral(?l))
}"""
)

_TYPES = (
    _PREFIXES
    + """
SELECT ?x ?t WHERE {
  VALUES ?t { igeo:Commune igeo:Departement igeo:Region skos:ConceptScheme }
  ?x a ?t .
}"""
)

_CODES = _PREFIXES + "SELECT ?x ?code WHERE { ?x igeo:codeINSEE ?code }"

#: Organisations typed in a graph other than the reference gazetteer's: the
#: actors of the project's sources (the others are the register's authorities).
_PROJECT_ORGS = f"""
SELECT DISTINCT ?x WHERE {{
  GRAPH ?g {{ ?x a ?t }}
  FILTER (STRSTARTS(STR(?x), "{ORG_ID}") && !STRSTARTS(STR(?g), "{REFERENCE}"))
}}"""

#: The label properties in the order a name is taken from them.
_NAME_ORDER = {
    "http://www.w3.org/2004/02/skos/core#prefLabel": 0,
    "http://rdf.insee.fr/def/geo#nom": 1,
    "http://www.w3.org/2000/01/rdf-schema#label": 2,
    "http://purl.org/dc/terms/title": 3,
    "http://www.w3.org/2004/02/skos/core#altLabel": 4,
    "http://www.w3.org/2004/02/skos/core#hiddenLabel": 5,
}

_LEVELS = {
    "http://rdf.insee.fr/def/geo#Commune": "commune",
    "http://rdf.insee.fr/def/geo#Departement": "departement",
    "http://rdf.insee.fr/def/geo#Region": "region",
}


def project_organisations(store: Any) -> set[str]:
    """IRIs of the organisations the project's own sources type (not their ``#`` nodes)."""
    return {
        row["x"].value
        for row in store.select(_PROJECT_ORGS, union=False)
        if "#" not in row["x"].value
    }


def _kind(iri: str, types: dict[str, str], actors: set[str]) -> str | None:
    if iri in types:
        return "scheme" if types[iri] == "scheme" else "territory"
    if iri.startswith(str(ORG_ID)):
        if "#" in iri:
            return None
        return "organisation" if iri in actors else "authority"
    for namespace, kind in (
        (str(PROJECT_ID), "project"),
        (str(RESOURCE_ID), "resource"),
        (str(CONCEPT_ID), "concept"),
        (str(SOURCE_ID), "source"),
    ):
        if iri.startswith(namespace):
            return kind
    if iri.startswith(AG):
        return "term"
    return None


def build_search_index(store: Any) -> SearchIndex:
    """The search index of everything named in ``store``."""
    types: dict[str, str] = {}
    for row in store.select(_TYPES):
        t = row["t"].value
        types[row["x"].value] = _LEVELS.get(t, "scheme")
    codes = {row["x"].value: row["code"].value for row in store.select(_CODES)}
    actors = project_organisations(store)
    by_iri: dict[str, list[tuple[int, str, str]]] = {}
    for row in store.select(_LABELS):
        lit = row["l"]
        by_iri.setdefault(row["x"].value, []).append(
            (_NAME_ORDER.get(row["p"].value, 9), lit.value, lit.language or "")
        )
    entries: list[Entry] = []
    labels: list[tuple[str, str, int]] = []
    for iri in sorted(by_iri):
        kind = _kind(iri, types, actors)
        if kind is None:
            continue
        found = sorted(set(by_iri[iri]))
        level = types.get(iri, "") if kind == "territory" else ""
        entry = Entry(
            iri, kind, level, tuple((text, tag) for _, text, tag in found), codes.get(iri, "")
        )
        entries.append(entry)
        index = len(entries) - 1
        for _, text, tag in found:
            labels.append((text, tag, index))
        if entry.code:
            labels.append((entry.code, "", index))
    return SearchIndex(entries, labels)


# ---------------------------------------------------------------- validation


def validation_by_focus(site: Site) -> dict[str, list[Result]]:
    """The SHACL and ``*-violation.rq`` results of the site's graph (the
    reference gazetteer left out, as ``actorgraph validate`` does), by focus
    node without its fragment (an entity's results with those of its ``#``
    nodes, by focus node): those ``build`` kept for the project store's
    generation, else computed (and kept for the next start)."""
    if site.project is None:
        return {}
    from ..store import embedded_copy
    from ..store.persistent import generation_of
    from ..validation import cache, validate_store

    store = site.store
    folder = generation_of(store, site.project)
    results = None if folder is None else cache.load(site.project, folder.name)
    if results is None:
        graphs = [g for g in store.graphs() if group_of(g) != "reference"]
        results = validate_store(
            embedded_copy(store, graphs),
            site.project.shapes_files,
            site.project.queries_dir,
            lang="en",
        ).results
        if folder is not None:
            cache.keep(site.project, folder.name, results)
    out: dict[str, list[Result]] = {}
    for result in sorted(results, key=lambda r: r.focus):  # stable: each focus's order kept
        out.setdefault(result.focus.partition("#")[0], []).append(result)
    return out


# ---------------------------------------------------------------- network


def network(site: Site) -> tuple[Network, Measures]:
    """The partnership network of the site's graph and its measures."""
    from ..network import measure, read_network

    net = read_network(site.store, "fr")
    return net, measure(net)


def draw_svg(source: str) -> bytes | None:
    """The SVG Graphviz draws from ``source``, or None when it cannot (no ``sfdp``)."""
    from ..errors import ActorGraphError
    from ..network import picture

    with tempfile.TemporaryDirectory(prefix="actorgraph-serve-") as tmp:
        path = Path(tmp) / "network.svg"
        try:
            picture.draw(source, [path], timeout=60)
        except ActorGraphError as exc:
            log.warning("network picture: %s", exc)
            return None
        return path.read_bytes()


_URL_ATTR = re.compile(r'URL="(https://w3id\.org/actorgraph/[^"]*)"')


def picture_source(
    site: Site, net: Network, measures: Measures, lang: str, total: int | None = None
) -> str:
    """The Graphviz source of a picture of ``net`` whose circles link to the
    site's pages (opened in the whole window when the picture is embedded)."""
    from ..network import picture

    text = picture.dot(net, measures, lang=lang, total=total)
    text = _URL_ATTR.sub(lambda m: f'URL="{site.url(m.group(1))}", target="_top"', text)
    return text


# ---------------------------------------------------------------- counts


_COUNTS = (
    _PREFIXES
    + """
SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?t { ag:Project ag:Programme ag:Partnership ag:Resource skos:Concept skos:ConceptScheme
              igeo:Commune igeo:Departement igeo:Region ag:Source }
  ?x a ?t .
} GROUP BY ?t"""
)


def counts(store: Any) -> dict[str, int]:
    """What the home page counts."""
    by_type = {row["t"].value: int(row["n"].value) for row in store.select(_COUNTS)}

    def n(*local: str) -> int:
        return sum(by_type.get(x, 0) for x in local)

    ag, skos, igeo = AG, "http://www.w3.org/2004/02/skos/core#", "http://rdf.insee.fr/def/geo#"
    actors = project_organisations(store)
    authorities = store.select(
        f'SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a ?t }} FILTER (STRSTARTS(STR(?g), "{REFERENCE}") && STRSTARTS(STR(?x), "{ORG_ID}")) }}',
        union=False,
    )
    territories = n(igeo + "Commune", igeo + "Departement", igeo + "Region")
    return {
        "triples": store.count(),
        "graphs": len(store.graphs()),
        "organisations": len(actors),
        "authorities": int(authorities[0]["n"].value) if authorities else 0,
        "projects": n(ag + "Project", ag + "Programme"),
        "partnerships": n(ag + "Partnership"),
        "resources": n(ag + "Resource"),
        "concepts": n(skos + "Concept") - territories,
        "schemes": n(skos + "ConceptScheme"),
        "communes": n(igeo + "Commune"),
        "departements": n(igeo + "Departement"),
        "regions": n(igeo + "Region"),
        "sources": n(ag + "Source"),
    }


# ---------------------------------------------------------------- ontology terms


def term_labels(store: Any) -> dict[str, list[ox.Literal]]:
    """``rdfs:label`` of every term the ontology graph declares, by IRI."""
    out: dict[str, list[ox.Literal]] = {}
    rows = store.select(
        f"SELECT ?t ?l WHERE {{ GRAPH <{GRAPH}ontology> {{ ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}",
        union=False,
    )
    for row in rows:
        out.setdefault(row["t"].value, []).append(row["l"])
    return out


def organisation_classes(store: Any) -> set[str]:
    """``ag:Organisation`` and its subclasses (the ontology's kinds of organisation)."""
    rows = store.select(_PREFIXES + "SELECT ?c WHERE { ?c rdfs:subClassOf* ag:Organisation }")
    return {row["c"].value for row in rows} | {AG + "Organisation"}


# ---------------------------------------------------------------- the site's cached values
# Each is built once per data version (see Derived), by the first page that
# needs it or by warm_up.


def organisation_classes_of(site: Site) -> set[str]:
    return derived(site).get(
        site.version, "organisation-classes", lambda: organisation_classes(site.store)
    )


def validation_of(site: Site) -> dict[str, list[Result]]:
    return derived(site).get(site.version, "validation", lambda: validation_by_focus(site))


def network_of(site: Site) -> tuple[Network, Measures]:
    return derived(site).get(site.version, "network", lambda: network(site))


def search_index_of(site: Site) -> SearchIndex:
    return derived(site).get(site.version, "search", lambda: build_search_index(site.store))


def warm_up(site: Site) -> None:
    """Make what the first visitors would otherwise wait for (seconds at a
    million triples): the classes of organisations, the validation results
    and the partnership network shown on each organisation's card, the search
    index. ``actorgraph serve`` calls it before it listens (each worker
    process before it takes requests)."""
    for make in (organisation_classes_of, validation_of, network_of, search_index_of):
        try:
            make(site)
        except Exception:  # the page that needs it reports the error
            log.exception("preparing %s", make.__name__)


def first(items: Iterable[T]) -> T | None:
    return next(iter(items), None)


__all__ = [
    "Derived",
    "Entry",
    "Hit",
    "SearchIndex",
    "build_search_index",
    "counts",
    "derived",
    "network",
    "network_of",
    "organisation_classes",
    "organisation_classes_of",
    "picture_source",
    "project_organisations",
    "search_index_of",
    "term_labels",
    "validation_by_focus",
    "validation_of",
    "warm_up",
]
