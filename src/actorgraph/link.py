"""``link``: align the organisations of ``data/graph`` with the gazetteer and Wikidata.

Two steps, each writing one named graph under ``data/links/``:

1. **gazetteer** (``links/gazetteer``): each local authority or EPCI is matched
   to its authority in the gazetteer — by SIREN, else by INSEE code and kind,
   else by name and kind ("Région Bretagne" is the région 53, never a commune)
   — and receives its ``ag:siren`` and ``ag:inseeCode`` with an ``owl:sameAs``
   to the gazetteer's node.
2. **wikidata** (``links/wikidata``): the Wikidata item of the territory
   (``ag:territoryItem``), found by INSEE code (``wdt:P374`` commune,
   ``wdt:P2586`` département, ``wdt:P2585`` région; no type filter, since Paris
   is not typed as a commune); the item of the institution itself
   (``ag:institutionItem``), found by SIREN (``wdt:P1616``) on an item that
   carries no territory code; and, for authorities with neither, by label.

Every link is stated, then described by an ``owl:Axiom`` node (the SSSOM way
of writing mapping metadata in RDF): method, confidence, date and which
identifier matched. Several candidates, or a candidate that contradicts a
known identifier, go to ``data/links/review.tsv``, never into the graph.
Links already written stay as they are unless ``refresh``.

Names are compared by the name matcher (:mod:`actorgraph.match`), within the
organisation's kind:

>>> gaz = Gazetteer.from_rows([["departement-33", "Departement", "Gironde", "223300013", "33"]])
>>> [c.id.rsplit("/", 1)[-1] for c in gaz.by_name("departement", "Département de la Gironde")]
['departement-33']
>>> gaz.by_name("commune", "Département de la Gironde")
[]
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .errors import LinkError, LoadError
from .fsutil import atomic_write
from .match import KIND_OF_CLASS, Candidate, NameIndex, strip_form
from .namespaces import (
    AG,
    DCTERMS,
    GRAPH,
    ORG_ID,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEMAPV,
    SKOS,
    SOURCE_ID,
    SSSOM,
    WD,
    WDT,
)
from .progress import Progress, ignore
from .project import Project
from .rdf import serialize_triples
from .refdata import GAZETTEER_FILE, INDEX_FILE, gazetteer_index, read_index
from .store import EmbeddedStore, read_source
from .wikidata import WikidataClient

OWL_SAME_AS = str(OWL.sameAs)

TERRITORIAL = ("commune", "departement", "region")
#: Wikidata property holding the INSEE code of each kind of territory.
CODE_PROPERTY = {"commune": "P374", "departement": "P2586", "region": "P2585"}
#: Wikidata classes of each kind of territory (for label matches only).
TERRITORY_TYPES = {
    "commune": {"Q484170"},
    "departement": {"Q6465"},
    "region": {"Q36784"},
}

LINK_FILES = {"gazetteer": "gazetteer.ttl", "wikidata": "wikidata.ttl"}
REVIEW_FILE = "review.tsv"

# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Link:
    """One link and what justifies it."""

    source: str  # organisation IRI
    prop: str  # the linking property (owl:sameAs, ag:territoryItem, ag:institutionItem)
    target: str
    method: str  # semapv justification IRI
    score: float
    date: str
    subject_field: str  # the property of ours that matched (ag:siren, ag:inseeCode, skos:prefLabel)
    object_field: str  # the property on the other side (ag:siren, wdt:P374, rdfs:label)
    value: str  # the matched value
    facts: tuple[tuple[str, str], ...] = ()  # (property IRI, literal) copied to the organisation

    @property
    def node(self) -> str:
        """The IRI of the node describing the link: a fragment of the organisation's IRI."""
        local = self.prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return f"{self.source}#link-{local}"


@dataclass(frozen=True)
class Review:
    """A match left for a person to decide."""

    source: str
    label: str
    step: str
    reason: str
    candidates: tuple[str, ...]

    def row(self) -> str:
        cells = [self.source, self.label, self.step, self.reason, " ".join(self.candidates)]
        return "\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells)


@dataclass
class Organisation:
    iri: str
    classes: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)  # prefLabel first, then altLabels
    siren: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str | None:
        kinds = {KIND_OF_CLASS[c] for c in self.classes if c in KIND_OF_CLASS}
        return kinds.pop() if len(kinds) == 1 else None

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.iri


@dataclass
class LinkResult:
    links: dict[str, list[Link]]
    reviews: list[Review]
    organisations: int
    asked: int
    written: list[Path]
    kept: int


# ------------------------------------------------------------------ reading


_ORG_FILTER = f'FILTER(STRSTARTS(STR(?org), "{ORG_ID}") && !CONTAINS(STR(?org), "#"))'
# Two queries: the classes, then names and identifiers. One query with an empty
# UNION branch (to keep organisations with neither) took 25 s at 1M triples.
_ORG_CLASSES = f"SELECT ?org ?class WHERE {{ ?org a ?class . {_ORG_FILTER} }}"
_ORG_NAMES = f"""
PREFIX ag: <{AG}>
PREFIX skos: <{SKOS}>
SELECT ?org ?pref ?alt ?siren ?code WHERE {{
  {{ ?org skos:prefLabel ?pref }} UNION {{ ?org skos:altLabel ?alt }}
  UNION {{ ?org ag:siren ?siren }} UNION {{ ?org ag:inseeCode ?code }}
  {_ORG_FILTER}
}}
"""


def read_organisations(files: Iterable[Path]) -> list[Organisation]:
    """The organisations described in ``files`` (the data folder), with names and identifiers."""
    loaded = EmbeddedStore()
    for path in files:
        loaded.load_file(path, relative=False)
    store = loaded.ox
    orgs: dict[str, Organisation] = {}
    prefs: dict[str, list[str]] = defaultdict(list)
    alts: dict[str, list[str]] = defaultdict(list)
    classes = store.query(_ORG_CLASSES, use_default_graph_as_union=True)
    assert isinstance(classes, ox.QuerySolutions)
    for sol in classes:
        org = orgs.setdefault(sol["org"].value, Organisation(sol["org"].value))
        cls = sol["class"].value
        if cls.startswith(str(AG)):
            org.classes.add(cls[len(str(AG)) :])
    solutions = store.query(_ORG_NAMES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for sol in solutions:
        iri = sol["org"].value
        if iri not in orgs:
            continue  # named but not typed
        org = orgs[iri]
        if sol["pref"] is not None:
            prefs[iri].append(sol["pref"].value)
        if sol["alt"] is not None:
            alts[iri].append(sol["alt"].value)
        if sol["siren"] is not None:
            org.siren.add(sol["siren"].value)
        if sol["code"] is not None:
            org.codes.add(sol["code"].value)
    organisations = [o for o in orgs.values() if o.classes]
    for org in organisations:
        org.labels = sorted(set(prefs[org.iri])) + sorted(set(alts[org.iri]) - set(prefs[org.iri]))
    return sorted(organisations, key=lambda o: o.iri)


#: The gazetteer last loaded in this process, by (index file, size, mtime).
_LOADED: dict[tuple[str, int, int], Gazetteer] = {}


@dataclass
class Gazetteer:
    """The gazetteer's authorities, indexed for matching."""

    rows: dict[str, list[str]]  # IRI → [slug, class, label, siren, code]
    by_siren: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_code: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    _names: NameIndex | None = field(default=None, repr=False)

    @classmethod
    def from_rows(cls, rows: Iterable[list[str]]) -> Gazetteer:
        gaz = cls({str(ORG_ID[r[0]]): r for r in rows})
        for iri, (_slug, klass, _label, siren, code) in gaz.rows.items():
            if siren:
                gaz.by_siren[siren].append(iri)
            kind = KIND_OF_CLASS.get(klass)
            if kind is not None and code:
                gaz.by_code[(kind, code)].append(iri)
        return gaz

    def by_name(self, kind: str, name: str) -> list[Candidate]:
        """Authorities of ``kind`` that ``name`` may be, best first (the names
        are indexed on first use)."""
        if self._names is None:
            self._names = NameIndex()
            for iri, row in self.rows.items():
                row_kind = KIND_OF_CLASS.get(row[1])
                if row_kind is not None:
                    # No typos: one letter apart is often another commune.
                    self._names.add(iri, row[2], row_kind, fuzzy=False)
        return self._names.candidates(name, kind, limit=None)

    @classmethod
    def load(cls, reference_dir: Path) -> Gazetteer:
        """From the index beside the gazetteer, or (slower) from the gazetteer itself."""
        index = reference_dir / INDEX_FILE
        if index.is_file():
            stat = index.stat()
            key = (str(index.resolve()), stat.st_size, stat.st_mtime_ns)
            if key not in _LOADED:
                _LOADED.clear()  # one gazetteer at a time is enough
                _LOADED[key] = cls.from_rows(read_index(index))
            return _LOADED[key]
        nt = reference_dir / GAZETTEER_FILE
        if not nt.is_file():
            raise LoadError(
                "no gazetteer: data/reference/gazetteer.nt.gz is missing",
                file=nt,
                hint="run `make refdata`",
            )
        return cls.from_rows(gazetteer_index(read_source(nt)))

    def kind(self, iri: str) -> str | None:
        return KIND_OF_CLASS.get(self.rows[iri][1])


# ------------------------------------------------------------------ gazetteer step

XREF = str(SEMAPV.DatabaseCrossReference)
LEXICAL = str(SEMAPV.LexicalMatching)


def match_gazetteer(
    org: Organisation, gaz: Gazetteer, today: str
) -> tuple[Link | None, Review | None]:
    """The gazetteer authority of ``org`` (SIREN, then INSEE code, then name within its kind)."""
    kind = org.kind
    if kind is None:
        return None, None

    def review(reason: str, candidates: Iterable[str]) -> tuple[None, Review]:
        return None, Review(org.iri, org.label, "gazetteer", reason, tuple(sorted(candidates)))

    found: list[str] = []
    how: tuple[str, str, str, str, float] = ("", "", "", "", 0.0)
    for siren in sorted(org.siren):
        hits = [i for i in gaz.by_siren.get(siren, []) if gaz.kind(i) == kind]
        if hits:
            found, how = hits, (XREF, str(AG.siren), str(AG.siren), siren, 1.0)
            break
    if not found:
        for code in sorted(org.codes):
            hits = gaz.by_code.get((kind, code), [])
            if hits:
                found, how = hits, (XREF, str(AG.inseeCode), str(AG.inseeCode), code, 1.0)
                break
    if not found:
        # The closest matches over all the names of the organisation (an exact
        # name before a name found through its form).
        best = 0.0
        by_label: dict[str, str] = {}  # IRI → the first label that found it
        for label in org.labels:
            for candidate in gaz.by_name(kind, label):
                if candidate.score > best:
                    best, by_label = candidate.score, {}
                if candidate.score == best:
                    by_label.setdefault(candidate.id, label)
        if not by_label:
            return None, None
        found = sorted(by_label)
        label = by_label[found[0]]
        how = (LEXICAL, f"{SKOS}prefLabel", f"{SKOS}prefLabel", label, 0.9)
    if len(found) > 1:
        return review(f"{len(found)} candidates in the gazetteer", found)
    target = found[0]
    _slug, klass, _label, siren, code = gaz.rows[target]
    if org.siren and siren and siren not in org.siren:
        return review(f"the gazetteer's SIREN {siren} differs from ours", [target])
    if org.codes and code and code not in org.codes:
        return review(f"the gazetteer's INSEE code {code} differs from ours", [target])
    facts = []
    if siren:
        facts.append((str(AG.siren), siren))
    if code:
        facts.append((str(AG.inseeCode), code))
    score = how[4] if klass in org.classes or how[0] == XREF else min(how[4], 0.8)
    link = Link(
        org.iri, OWL_SAME_AS, target, how[0], score, today, how[1], how[2], how[3], tuple(facts)
    )
    return link, None


# ------------------------------------------------------------------ wikidata step


def _literal_list(values: Iterable[str]) -> str:
    return " ".join(str(ox.Literal(v)) for v in sorted(set(values)))


def _code_query(prop: str, codes: Iterable[str]) -> str:
    return (
        f"SELECT ?item ?code WHERE {{ VALUES ?code {{ {_literal_list(codes)} }} "
        f"?item <{WDT}{prop}> ?code . }}"
    )


def _siren_query(sirens: Iterable[str]) -> str:
    return (
        f"SELECT ?item ?siren ?c374 ?c2586 ?c2585 WHERE {{ "
        f"VALUES ?siren {{ {_literal_list(sirens)} }} ?item <{WDT}P1616> ?siren . "
        f"OPTIONAL {{ ?item <{WDT}P374> ?c374 }} OPTIONAL {{ ?item <{WDT}P2586> ?c2586 }} "
        f"OPTIONAL {{ ?item <{WDT}P2585> ?c2585 }} }}"
    )


def _label_query(labels: Iterable[str]) -> str:
    values = " ".join(str(ox.Literal(v, language="fr")) for v in sorted(set(labels)))
    return (
        f"SELECT ?item ?label ?type WHERE {{ VALUES ?label {{ {values} }} "
        f"{{ ?item <{RDFS.label}> ?label }} UNION "
        f"{{ ?item <{SKOS}altLabel> ?label }} "
        f"OPTIONAL {{ ?item <{WDT}P31> ?type }} }}"
    )


def _is_item(iri: str) -> bool:
    return iri.startswith(str(WD)) and iri[len(str(WD)) :].startswith("Q")


def match_wikidata(
    orgs: list[Organisation],
    client: WikidataClient,
    today: str,
) -> tuple[list[Link], list[Review]]:
    """Territory and institution items of ``orgs`` (with identifiers already completed
    from the gazetteer)."""
    links: list[Link] = []
    reviews: list[Review] = []
    territory_of: dict[str, str] = {}

    # 1. territory items by INSEE code, one query per kind of territory
    for kind in TERRITORIAL:
        prop = CODE_PROPERTY[kind]
        todo = [o for o in orgs if o.kind == kind and o.codes]
        if not todo:
            continue
        rows = client.select(_code_query(prop, (c for o in todo for c in o.codes)))
        if rows is None:
            continue
        items: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if _is_item(row.get("item", "")):
                items[row["code"]].add(row["item"])
        for org in todo:
            code = sorted(org.codes)[0]
            found = items.get(code, set())
            if len(found) == 1:
                item = found.pop()
                territory_of[org.iri] = item
                links.append(
                    Link(
                        org.iri,
                        str(AG.territoryItem),
                        item,
                        XREF,
                        1.0,
                        today,
                        str(AG.inseeCode),
                        str(WDT[prop]),
                        code,
                    )
                )
            elif found:
                reviews.append(
                    Review(
                        org.iri,
                        org.label,
                        "wikidata",
                        f"{len(found)} items with {prop} {code}",
                        tuple(sorted(found)),
                    )
                )

    # 2. institution items by SIREN, on items that carry no territory code
    todo = [o for o in orgs if o.siren]
    if todo:
        rows = client.select(_siren_query(s for o in todo for s in o.siren))
        if rows is not None:
            by_siren: dict[str, set[str]] = defaultdict(set)
            coded: set[str] = set()
            for row in rows:
                item = row.get("item", "")
                if not _is_item(item):
                    continue
                by_siren[row["siren"]].add(item)
                if any(row.get(k) for k in ("c374", "c2586", "c2585")):
                    coded.add(item)
            for org in todo:
                for siren in sorted(org.siren):
                    found = by_siren.get(siren, set())
                    if not found:
                        continue
                    territorial = found & coded
                    plain = found - coded
                    territory = territory_of.get(org.iri)
                    if territorial and territorial != {territory}:
                        reviews.append(
                            Review(
                                org.iri,
                                org.label,
                                "wikidata",
                                f"item(s) with SIREN {siren} are territories, not this body",
                                tuple(sorted(territorial)),
                            )
                        )
                    if len(plain) == 1:
                        links.append(
                            Link(
                                org.iri,
                                str(AG.institutionItem),
                                next(iter(plain)),
                                XREF,
                                0.9,
                                today,
                                str(AG.siren),
                                str(WDT.P1616),
                                siren,
                            )
                        )
                    elif len(plain) > 1:
                        reviews.append(
                            Review(
                                org.iri,
                                org.label,
                                "wikidata",
                                f"{len(plain)} items with SIREN {siren}",
                                tuple(sorted(plain)),
                            )
                        )
                    break

    # 3. by label: territories still without an item (no INSEE code known)
    linked = {(lk.source, lk.prop) for lk in links}
    todo = [
        o
        for o in orgs
        if o.kind in TERRITORIAL
        and not o.codes
        and (o.iri, str(AG.territoryItem)) not in linked
        and o.labels
    ]
    if todo:
        names = {o.iri: set(o.labels) | _bare_names(o) for o in todo}
        rows = client.select(_label_query(n for ns in names.values() for n in ns))
        if rows is not None:
            by_label: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for row in rows:
                if _is_item(row.get("item", "")):
                    types = by_label[row["label"]][row["item"]]
                    if row.get("type"):
                        types.add(row["type"].rsplit("/", 1)[-1])
            for org in todo:
                kind = org.kind or ""
                candidates: dict[str, str] = {}
                for name in sorted(names[org.iri]):
                    for item, types in by_label.get(name, {}).items():
                        if types & TERRITORY_TYPES[kind]:
                            candidates.setdefault(item, name)
                if len(candidates) == 1:
                    item, name = next(iter(candidates.items()))
                    links.append(
                        Link(
                            org.iri,
                            str(AG.territoryItem),
                            item,
                            LEXICAL,
                            0.7,
                            today,
                            f"{SKOS}prefLabel",
                            str(RDFS.label),
                            name,
                        )
                    )
                elif candidates:
                    reviews.append(
                        Review(
                            org.iri,
                            org.label,
                            "wikidata",
                            f"{len(candidates)} {kind} items share its name",
                            tuple(sorted(candidates)),
                        )
                    )
    return links, reviews


def _bare_names(org: Organisation) -> set[str]:
    """Names without "Ville de", "Région"…, with their original accents and case."""
    kind = org.kind
    if kind is None:
        return set()
    return {bare for label in org.labels if (bare := strip_form(label, kind))}


# ------------------------------------------------------------------ writing

_BANNER = """\
# actorgraph — links of the organisations to the {step}, written by `actorgraph link`.
# Each link is stated, then described by an owl:Axiom node with SSSOM metadata:
# method (sssom:mapping_justification), confidence, date and which identifier matched.
# Edit by hand only to remove a wrong link; `actorgraph link` keeps the others.

"""

#: What each step's links were computed against (a source gives its file or its address).
_SOURCE_OF_STEP: dict[str, tuple[str, ox.NamedNode | ox.Literal]] = {
    "gazetteer": (str(AG.fileName), ox.Literal("data/reference/gazetteer.nt.gz")),
    "wikidata": (str(SCHEMA.url), ox.NamedNode("https://www.wikidata.org/")),
}

_XSD = PREFIXES["xsd"]


def _iri(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def link_triples(step: str, links: Iterable[Link], sha256: str | None = None) -> list[ox.Triple]:
    """The statements of one links file: its source node and graph, then every
    link with the ``owl:Axiom`` node describing it."""
    source = _iri(str(SOURCE_ID[f"link-{step}"]))
    via, where = _SOURCE_OF_STEP[step]
    out = [
        ox.Triple(source, _iri(str(RDF.type)), _iri(str(AG.Source))),
        ox.Triple(
            source,
            _iri(str(DCTERMS.title)),
            ox.Literal(f"Links computed by actorgraph link ({step})", language="en"),
        ),
        ox.Triple(source, _iri(str(DCTERMS.creator)), ox.Literal(f"actorgraph {__version__}")),
        ox.Triple(source, _iri(via), where),
        ox.Triple(_iri(f"{GRAPH}links/{step}"), _iri(str(PROV.wasDerivedFrom)), source),
    ]
    if sha256:
        out.append(ox.Triple(source, _iri(str(AG.sha256)), ox.Literal(sha256)))
    for link in links:
        org, prop, target = _iri(link.source), _iri(link.prop), _iri(link.target)
        out.append(ox.Triple(org, prop, target))
        out += [ox.Triple(org, _iri(p), ox.Literal(v)) for p, v in link.facts]
        node = _iri(link.node)
        axiom: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (str(RDF.type), _iri(str(OWL.Axiom))),
            (str(OWL.annotatedSource), org),
            (str(OWL.annotatedProperty), prop),
            (str(OWL.annotatedTarget), target),
            (str(SSSOM.mapping_justification), _iri(link.method)),
            (str(SSSOM.confidence), _typed(f"{link.score:.2f}", _XSD + "decimal")),
            (str(SSSOM.mapping_date), _typed(link.date, _XSD + "date")),
            (str(SSSOM.subject_match_field), _iri(link.subject_field)),
            (str(SSSOM.object_match_field), _iri(link.object_field)),
            (str(SSSOM.match_string), ox.Literal(link.value)),
            (str(PROV.wasDerivedFrom), source),
        ]
        out += [ox.Triple(node, _iri(p), o) for p, o in axiom]
    return out


def render_links(step: str, links: list[Link], sha256: str | None = None) -> str:
    """The Turtle of one links file, deterministic: a comment banner, then the
    statements as every Turtle output writes them (:mod:`actorgraph.rdf`);
    ``sha256`` is the digest of the file the step read, when it read one."""
    body = serialize_triples(link_triples(step, links, sha256), "ttl").decode("utf-8")
    return _BANNER.format(step=step) + body


_READ_LINKS = f"""
PREFIX owl: <{OWL}>
PREFIX sssom: <{SSSOM}>
SELECT ?s ?p ?o ?method ?score ?date ?sf ?of ?value WHERE {{
  ?node a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
        sssom:mapping_justification ?method ; sssom:confidence ?score ; sssom:mapping_date ?date ;
        sssom:subject_match_field ?sf ; sssom:object_match_field ?of ; sssom:match_string ?value .
  ?s ?p ?o .
}}
"""


def read_links(path: Path) -> list[Link]:
    """The links of a file written by :func:`render_links` (links removed by hand stay removed)."""
    if not path.is_file():
        return []
    loaded = EmbeddedStore()
    try:
        loaded.load_file(path, relative=False)
    except LoadError as exc:
        if "empty" in exc.message:
            return []
        raise
    store = loaded.ox
    links = []
    solutions = store.query(_READ_LINKS)
    assert isinstance(solutions, ox.QuerySolutions)
    for sol in solutions:
        s, p = sol["s"].value, sol["p"].value
        facts = (
            tuple(
                sorted(
                    (q.predicate.value, str(getattr(q.object, "value", q.object)))
                    for prop in (AG.siren, AG.inseeCode)
                    for q in store.quads_for_pattern(sol["s"], ox.NamedNode(str(prop)), None)
                )
            )
            if p == OWL_SAME_AS
            else ()
        )
        links.append(
            Link(
                s,
                p,
                sol["o"].value,
                sol["method"].value,
                float(sol["score"].value),
                sol["date"].value,
                sol["sf"].value,
                sol["of"].value,
                sol["value"].value,
                facts,
            )
        )
    return sorted(set(links), key=lambda lk: (lk.source, lk.prop, lk.target))


def merge(kept: list[Link], fresh: list[Link]) -> list[Link]:
    """``kept`` links win over ``fresh`` ones for the same organisation and property."""
    taken = {(lk.source, lk.prop) for lk in kept}
    return [*kept, *(lk for lk in fresh if (lk.source, lk.prop) not in taken)]


# ------------------------------------------------------------------ the verb


def link_project(
    project: Project,
    client: WikidataClient | None,
    *,
    refresh: bool = False,
    today: dt.date | None = None,
    progress: Progress = ignore,
) -> LinkResult:
    """Compute the links of ``project``'s organisations and write ``data/links/``.

    ``progress`` hears each phase (reading, the gazetteer organisation by
    organisation, Wikidata, writing) as it starts.

    ``client=None`` skips Wikidata (existing Wikidata links stay). Nothing is
    written unless every step succeeded, so an unreachable endpoint leaves the
    links as they were (:class:`LinkError`, exit 3).
    """
    day = (today or dt.date.today()).isoformat()
    data_files = [s.path for s in project.data_sources() if s.group == "data"]
    progress("reading the organisations", 0, 1)
    orgs = read_organisations(data_files)
    progress("reading the gazetteer", 0, 1)
    gaz = Gazetteer.load(project.reference_dir)
    links_dir = project.links_dir
    existing = {
        step: ([] if refresh else read_links(links_dir / name)) for step, name in LINK_FILES.items()
    }
    kept_count = sum(len(v) for v in existing.values())
    reviews: list[Review] = []

    # gazetteer
    fresh: list[Link] = []
    # Every step is computed in full each time (same questions, so the cache
    # answers them); links already written then win over fresh ones.
    for n, org in enumerate(orgs):
        if n % 100 == 0:  # a call per organisation would cost more than matching it
            progress("matching with the gazetteer", n, len(orgs))
        link, review = match_gazetteer(org, gaz, day)
        if link:
            fresh.append(link)
        if review:
            reviews.append(review)
    gaz_links = merge(existing["gazetteer"], fresh)

    # identifiers learnt from the gazetteer help the Wikidata step
    completed = {o.iri: replace(o, siren=set(o.siren), codes=set(o.codes)) for o in orgs}
    for lk in gaz_links:
        known = completed.get(lk.source)
        if known is None:
            continue
        for prop, value in lk.facts:
            (known.siren if prop == str(AG.siren) else known.codes).add(value)

    wd_links = list(existing["wikidata"])
    asked = 0
    if client is not None:
        progress("asking Wikidata", len(orgs), len(orgs))
        new, wd_reviews = match_wikidata(list(completed.values()), client, day)
        wd_links = merge(wd_links, new)
        reviews += wd_reviews
        asked = client.asked

    nt = project.reference_dir / GAZETTEER_FILE
    gaz_sha = hashlib.sha256(nt.read_bytes()).hexdigest() if nt.is_file() else None
    outputs = {
        links_dir / LINK_FILES["gazetteer"]: render_links("gazetteer", gaz_links, gaz_sha),
        links_dir / LINK_FILES["wikidata"]: render_links("wikidata", wd_links),
        links_dir / REVIEW_FILE: render_review(reviews),
    }
    written = []
    progress("writing data/links/", len(orgs), len(orgs))
    for path, text in outputs.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            written.append(path)
    return LinkResult(
        {"gazetteer": gaz_links, "wikidata": wd_links},
        reviews,
        len(orgs),
        asked,
        written,
        kept_count,
    )


def render_review(reviews: list[Review]) -> str:
    header = "organisation\tlabel\tstep\treason\tcandidates"
    rows = sorted({r.row() for r in reviews})
    return "\n".join([header, *rows]) + "\n"


def links_by_org(result: LinkResult) -> Mapping[str, dict[str, str]]:
    """``{organisation: {property: target}}`` over every link, for summaries and tests."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for links in result.links.values():
        for lk in links:
            out[lk.source][lk.prop] = lk.target
            for prop, value in lk.facts:
                out[lk.source][prop] = value
    return out


__all__ = [
    "Gazetteer",
    "Link",
    "LinkError",
    "LinkResult",
    "Review",
    "link_project",
    "link_triples",
    "match_gazetteer",
    "match_wikidata",
    "read_links",
]
