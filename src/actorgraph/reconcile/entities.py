"""The entities a reconciliation query may find, read from a store.

Two sources, one list:

- the **gazetteer** (the graph ``reference/gazetteer``): every commune, EPCI,
  département and région, with its name, SIREN and INSEE code. Its table is
  read from ``data/reference/gazetteer-index.json.gz``, which ``make refdata``
  derives from the same N-Triples as the graph (36k rows in 0.1 s, where the
  same facts asked of the store take seconds); without that file, from the
  store's reference graphs;
- the **directory**: the organisations of the data and links graphs, with
  their classes, names (``skos:prefLabel``, ``skos:altLabel``,
  ``skos:hiddenLabel`` and the ``ag:partnerName`` a source wrote), SIREN,
  INSEE codes and websites.

An organisation of the directory and the gazetteer authority it is
``owl:sameAs`` (``data/links/gazetteer.ttl``) are one entity, under the
directory's IRI (the node the partnerships point to); the gazetteer's IRI
stays an alias of it (it is found by it, and its names are the entity's
names).

Each name has a *level*: 0 the preferred name, 1 another name
(``skos:altLabel``), 2 a name as a source wrote it (``skos:hiddenLabel``,
``ag:partnerName``: misspellings included), 3 a former name (the régions
before 2016). Lower is better when two entities are otherwise equal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..match import KIND_OF_CLASS
from ..namespaces import AG, FOAF, IGEO, ORG_ID, OWL, RDF, SKOS
from ..project import group_of
from ..refdata import INDEX_FILE, read_index
from ..store import Store

PREFERRED, ALTERNATIVE, AS_WRITTEN, FORMER = 0, 1, 2, 3

#: The régions before the 2016 reform, their provisional names of 2016, and
#: usual abbreviations, by the INSEE code of the région they are (part of) now.
FORMER_REGIONS: dict[str, tuple[str, ...]] = {
    "11": ("IDF", "Région parisienne"),
    "24": ("Centre",),
    "27": ("Bourgogne", "Franche-Comté", "BFC"),
    "28": ("Basse-Normandie", "Haute-Normandie"),
    "32": ("Nord-Pas-de-Calais", "Picardie", "Nord-Pas-de-Calais-Picardie", "HDF"),
    "44": ("Alsace", "Lorraine", "Champagne-Ardenne", "Alsace-Champagne-Ardenne-Lorraine", "ACAL"),
    "75": (
        "Aquitaine",
        "Limousin",
        "Poitou-Charentes",
        "Aquitaine-Limousin-Poitou-Charentes",
        "ALPC",
    ),
    "76": ("Midi-Pyrénées", "Languedoc-Roussillon", "Languedoc-Roussillon-Midi-Pyrénées", "LRMP"),
    "84": ("Rhône-Alpes", "Auvergne", "AURA"),
    "93": ("PACA", "Région Sud"),
}

_DOM = re.compile(r"^97\d")


def departement_of(code: str) -> str:
    """The département code of a commune's INSEE code.

    >>> departement_of("33063"), departement_of("2A004"), departement_of("97411")
    ('33', '2A', '974')
    """
    return code[:3] if _DOM.match(code) else code[:2]


@dataclass(frozen=True, slots=True, eq=False)
class Entity:
    """One thing a query may find (see the module's doc). Many are held at
    once (36k), so: slots, tuples, shared class sets."""

    iri: str
    #: (name, level), the preferred name first.
    names: tuple[tuple[str, int], ...]
    classes: frozenset[str]
    sirens: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    #: Its other IRIs (the gazetteer's, for an organisation of the directory).
    aliases: tuple[str, ...] = ()
    #: Described by the project's own data, not only by the gazetteer.
    directory: bool = False
    #: Its name in the gazetteer, if it is there.
    official: str | None = None

    @property
    def name(self) -> str:
        return self.names[0][0] if self.names else self.iri

    @property
    def body(self) -> str | None:
        """commune, departement, region or epci, when its classes say one only."""
        kinds = {
            KIND_OF_CLASS[c.rsplit("#", 1)[-1]]
            for c in self.classes
            if c.rsplit("#", 1)[-1] in KIND_OF_CLASS
        }
        return kinds.pop() if len(kinds) == 1 else None


@dataclass(eq=False)
class _Draft:
    """An entity while it is read."""

    iri: str
    names: list[tuple[str, int]] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    sirens: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    directory: bool = False
    official: str | None = None

    def add_name(self, name: str, level: int) -> None:
        name = name.strip()
        if name and not any(n == name for n, _ in self.names):
            self.names.append((name, level))

    def done(self, shared: dict[frozenset[str], frozenset[str]]) -> Entity:
        names = sorted(self.names, key=lambda n: n[1])  # stable: the first preferred first
        classes = frozenset(self.classes)
        return Entity(
            self.iri,
            tuple(names),
            shared.setdefault(classes, classes),
            tuple(sorted(self.sirens)),
            tuple(sorted(self.codes)),
            tuple(sorted(self.hosts)),
            tuple(sorted(self.aliases)),
            self.directory,
            self.official,
        )


def host(url: str) -> str:
    """The host name of a website as compared: lowercase, no scheme, no ``www.``.

    >>> host("http://www.la27eregion.fr/"), host("La27eRegion.fr/projets")
    ('la27eregion.fr', 'la27eregion.fr')
    """
    text = url.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    text = text.split(":", 1)[0]
    return text.removeprefix("www.").rstrip(".")


# ------------------------------------------------------------------ reading

_GAZETTEER_QUERY = f"""
PREFIX ag: <{AG}>
PREFIX skos: <{SKOS}>
SELECT ?s ?class ?label ?siren ?code WHERE {{
  VALUES ?g {{ %s }}
  GRAPH ?g {{
    ?s a ?class ; skos:prefLabel ?label .
    OPTIONAL {{ ?s ag:siren ?siren }}
    OPTIONAL {{ ?s ag:inseeCode ?code }}
  }}
  FILTER (STRSTARTS(STR(?class), "{AG}"))
}}
"""

_REGION_OF_DEPARTEMENT = f"""
PREFIX igeo: <{IGEO}>
SELECT ?dep ?region WHERE {{
  ?t a igeo:Departement ; igeo:codeINSEE ?dep ; igeo:sousDivisionDe ?r .
  ?r a igeo:Region ; igeo:codeINSEE ?region .
}}
"""

_DIRECTORY_PROPERTIES = {
    str(RDF.type): "class",
    str(SKOS.prefLabel): "pref",
    str(SKOS.altLabel): "alt",
    str(SKOS.hiddenLabel): "hidden",
    str(AG.siren): "siren",
    str(AG.inseeCode): "code",
    str(FOAF.homepage): "homepage",
    str(OWL.sameAs): "same",
}

_DIRECTORY_QUERY = f"""
SELECT ?s ?p ?o WHERE {{
  VALUES ?g {{ %s }}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _DIRECTORY_PROPERTIES)} }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (STRSTARTS(STR(?s), "{ORG_ID}") && !CONTAINS(STR(?s), "#"))
}}
"""

_PARTNER_NAMES = f"""
PREFIX ag: <{AG}>
SELECT ?s ?name WHERE {{
  VALUES ?g {{ %s }}
  GRAPH ?g {{ ?link ag:partner ?s ; ag:partnerName ?name }}
  FILTER (STRSTARTS(STR(?s), "{ORG_ID}"))
}}
"""


def _values(graphs: Iterable[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


@dataclass
class Read:
    """What :func:`read_entities` found."""

    entities: list[Entity]
    #: département code → région code
    region_of: dict[str, str]


def read_entities(store: Store, reference_dir: Path | None = None) -> Read:
    """The gazetteer's authorities and the directory's organisations, merged
    along ``owl:sameAs`` (see the module's doc), sorted by IRI."""
    graphs = store.graphs()
    by_iri: dict[str, _Draft] = {}

    def entity(iri: str) -> _Draft:
        found = by_iri.get(iri)
        if found is None:
            found = by_iri[iri] = _Draft(iri)
        return found

    for iri, klass, label, siren, code in _gazetteer_rows(store, graphs, reference_dir):
        ent = entity(iri)
        ent.add_name(label, PREFERRED)
        ent.official = label
        ent.classes.add(klass)
        if siren:
            ent.sirens.add(siren)
        if code:
            ent.codes.add(code.upper())

    # Régions by their former names.
    for ent in by_iri.values():
        if str(AG.Region) in ent.classes:
            for code in ent.codes:
                for former in FORMER_REGIONS.get(code, ()):
                    ent.add_name(former, FORMER)

    own = [g for g in graphs if group_of(g) in ("data", "links")]
    same: list[tuple[str, str]] = []
    described: set[str] = set()
    if own:
        for row in store.select(_DIRECTORY_QUERY % _values(own), union=False):
            iri, what, obj = row["s"].value, _DIRECTORY_PROPERTIES[row["p"].value], row["o"]
            value = obj.value
            if what == "same":
                if value.startswith(str(ORG_ID)) and "#" not in value:
                    same.append((iri, value))
                continue
            ent = entity(iri)
            if what in ("pref", "alt", "hidden", "class"):
                described.add(iri)
            if what == "class":
                if value.startswith(str(AG)):
                    ent.classes.add(value)
            elif what == "pref":
                ent.add_name(value, PREFERRED)
            elif what == "alt":
                ent.add_name(value, ALTERNATIVE)
            elif what == "hidden":
                ent.add_name(value, AS_WRITTEN)
            elif what == "siren":
                ent.sirens.add(value.strip())
            elif what == "code":
                ent.codes.add(value.strip().upper())
            elif what == "homepage" and (h := host(value)):
                ent.hosts.add(h)
        for row in store.select(_PARTNER_NAMES % _values(own), union=False):
            entity(row["s"].value).add_name(row["name"].value, AS_WRITTEN)
            described.add(row["s"].value)
    for iri in described:
        by_iri[iri].directory = True
        if not by_iri[iri].classes:
            by_iri[iri].classes.add(str(AG.Organisation))

    entities = _merge(by_iri, same)
    region_of = {
        row["dep"].value.upper(): row["region"].value.upper()
        for row in store.select(_REGION_OF_DEPARTEMENT)
    }
    return Read(entities, region_of)


def _gazetteer_rows(
    store: Store, graphs: list[str], reference_dir: Path | None
) -> Iterable[tuple[str, str, str, str, str]]:
    """(IRI, class IRI, name, SIREN, INSEE code) of each authority of the gazetteer."""
    reference = [g for g in graphs if group_of(g) == "reference"]
    if not reference:
        return
    index = reference_dir / INDEX_FILE if reference_dir is not None else None
    if index is not None and index.is_file():
        org, ag = str(ORG_ID), str(AG)
        for slug, klass, label, siren, code in read_index(index):
            if klass and label:
                yield org + slug, ag + klass, label, siren, code
        return
    for row in store.select(_GAZETTEER_QUERY % _values(reference), union=False):
        yield (
            row["s"].value,
            row["class"].value,
            row["label"].value,
            row["siren"].value if "siren" in row else "",
            row["code"].value if "code" in row else "",
        )


def _merge(by_iri: dict[str, _Draft], same: list[tuple[str, str]]) -> list[Entity]:
    """One entity per ``owl:sameAs`` cluster, under its directory IRI (the
    smallest, if several); clusters without a name are left out."""
    parent: dict[str, str] = {}

    def find(iri: str) -> str:
        while parent.get(iri, iri) != iri:
            iri = parent[iri]
        return iri

    for a, b in same:
        if a in by_iri and b in by_iri:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[str, list[_Draft]] = defaultdict(list)
    for iri, ent in by_iri.items():
        clusters[find(iri)].append(ent)
    out = []
    shared: dict[frozenset[str], frozenset[str]] = {}
    for members in clusters.values():
        if not any(m.names for m in members):
            continue  # an identifier stated of a node no source names
        if len(members) == 1:
            out.append(members[0].done(shared))
            continue
        members.sort(key=lambda e: (not e.directory, e.iri))
        head = members[0]
        merged = _Draft(head.iri, directory=any(m.directory for m in members))
        for member in members:
            for name, level in member.names:
                merged.add_name(name, level)
            merged.classes |= member.classes
            merged.sirens |= member.sirens
            merged.codes |= member.codes
            merged.hosts |= member.hosts
            merged.official = merged.official or member.official
            if member.iri != head.iri:
                merged.aliases.add(member.iri)
        # The preferred name is the directory's, where it has one.
        if head.names:
            first = min(head.names, key=lambda n: n[1])
            merged.names.remove(first)
            merged.names.insert(0, (first[0], PREFERRED))
        out.append(merged.done(shared))
    return sorted(out, key=lambda e: e.iri)


__all__ = [
    "ALTERNATIVE",
    "AS_WRITTEN",
    "FORMER",
    "FORMER_REGIONS",
    "PREFERRED",
    "Entity",
    "Read",
    "departement_of",
    "host",
    "read_entities",
]
