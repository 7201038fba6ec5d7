"""Recognise names: organisations and projects against a gazetteer, and
vocabulary concepts (themes, methods, resource kinds) from their ``skos:altLabel``.

The gazetteer takes any list of :class:`Entry` (IRI, names, kind), so the
organisations already in the graph and the French public-authority reference
plug in the same way. Names are compared by the name matcher
(:mod:`actorgraph.match`); the gazetteer decides between its candidates (the
closest way of matching, then the lowest rank, and one entry or none).

>>> gaz = Gazetteer([
...     Entry("http://e/mel", (Name("Métropole Européenne de Lille", "pref"), Name("MEL", "alt")), "http://k/Metropole"),
...     Entry("http://e/cdc", (Name("Caisse des Dépôts", "pref"),), "http://k/Bank"),
...     Entry("http://e/gironde", (Name("Département de la Gironde", "pref"),), "http://k/Departement"),
... ])
>>> gaz.match("la MEL").entry.iri
'http://e/mel'
>>> m = gaz.match("Caissee des Dépôts")
>>> m.entry.iri, m.how
('http://e/cdc', 'typo')
>>> gaz.match("le Gironde").how
'form'
>>> gaz.match("Ville de Nulle-Part") is None
True
>>> gaz.add(Entry("http://e/t12", (Name("Projet Tramway 12", "pref"),), "http://k/Project"))
>>> gaz.match("Projet Tramway 120") is None
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..match import WAYS, Candidate, NameIndex, normalise, words
from ..namespaces import CONCEPT_ID
from ..project import group_of


@dataclass(frozen=True)
class Name:
    """One name of an entry: ``pref``, ``alt`` or ``hidden`` (a known misspelling)."""

    text: str
    role: str = "alt"


@dataclass(frozen=True)
class Entry:
    """Something names can point to: its IRI, its names, its kind (a class IRI)."""

    iri: str
    names: tuple[Name, ...]
    kind: str
    #: Lower ranks win when a name fits several entries: the project's own data
    #: (0) before the reference gazetteer (1).
    rank: int = 0

    @property
    def pref(self) -> str | None:
        return next((n.text for n in self.names if n.role == "pref"), None)


@dataclass(frozen=True)
class Match:
    """A written name recognised as ``entry``: ``how`` is exact, form, typo."""

    entry: Entry
    written: str
    how: str
    name: Name


_ROLES = ("pref", "alt", "hidden")


class Gazetteer:
    """Entries whose names are in a :class:`~actorgraph.match.NameIndex`; a
    name is recognised when the closest way of matching finds one entry.

    :meth:`add` indexes one more entry in constant time; :meth:`extended`
    gives a gazetteer that adds to this one without changing it.
    """

    #: Misspellings are looked for among entries of this rank or lower only: the
    #: graph's own organisations, not the ~35k reference bodies, where one letter
    #: apart is often another commune (Saint-Genis, Saint-Denis).
    TYPO_RANK = 0

    def __init__(self, entries: Iterable[Entry] = (), *, base: Gazetteer | None = None) -> None:
        self._base = base
        self._index: NameIndex = base._index.derived() if base else NameIndex()
        self._own: list[Entry] = []
        self._memo: dict[tuple[str, ...], Match | None] = {}
        for entry in entries:
            self.add(entry)

    @property
    def entries(self) -> Sequence[Entry]:
        """Every entry, those of the gazetteer this one extends first."""
        return [*(self._base.entries if self._base else ()), *self._own]

    def __len__(self) -> int:
        return (len(self._base) if self._base else 0) + len(self._own)

    def add(self, entry: Entry) -> None:
        """Index ``entry``'s names (each in constant time: no rebuild)."""
        self._own.append(entry)
        self._memo.clear()
        for name in entry.names:
            self._index.add(
                entry.iri,
                name.text,
                entry.kind,
                fuzzy=entry.rank <= self.TYPO_RANK,
                entry=entry,
                name=name,
            )

    def extended(self, more: Iterable[Entry] = ()) -> Gazetteer:
        """A gazetteer holding this one's entries and ``more``; this one is unchanged."""
        return Gazetteer(more, base=self)

    def match(self, written: str, *alternatives: str) -> Match | None:
        """The entry ``written`` names (or one of its ``alternatives``, e.g. the
        expansion of an abbreviation); None when nothing matches, or when the
        closest way of matching finds several entries (an ambiguous name is
        reported, not guessed)."""
        key = (written, *alternatives)
        if key not in self._memo:
            self._memo[key] = self._match(written, alternatives)
        return self._memo[key]

    def _match(self, written: str, alternatives: tuple[str, ...]) -> Match | None:
        closest: list[Candidate] = []
        for text in (written, *alternatives):
            if len(normalise(text)) < 2:
                continue
            found = self._index.matches(text)
            if not found:
                continue
            how = found[0].how
            # A typo counts at its smallest distance only; exact and form as a whole.
            same = [
                c for c in found if c.how == how and (how != "typo" or c.score == found[0].score)
            ]
            if not closest or WAYS.index(how) < WAYS.index(closest[0].how):
                closest = same
        if not closest:
            return None
        pairs: list[tuple[Entry, Name]] = [(c.extra["entry"], c.extra["name"]) for c in closest]
        best = min(e.rank for e, _ in pairs)
        pairs = [(e, n) for e, n in pairs if e.rank == best]
        if len({e.iri for e, _ in pairs}) != 1:
            return None
        # Prefer the preferred name when one entry is found through several.
        entry, name = sorted(pairs, key=lambda en: _ROLES.index(en[1].role))[0]
        return Match(entry, written, closest[0].how, name)


# ---------------------------------------------------------------- concepts


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str


@dataclass
class ConceptMatcher:
    """Finds vocabulary concepts in a text through their labels, longest phrase
    first, without overlaps; a title cut with "..." may end in a word's start.

    >>> m = ConceptMatcher([("agc:dt", "transition démocratique"), ("agc:et", "transition"),
    ...                     ("agc:ci", "citoyens")])
    >>> m.find("Transition démocratique : quelles exi")
    ['agc:dt']
    >>> m.find("À la découverte des collectifs citoye", truncated=True)
    ['agc:ci']
    """

    labels: Iterable[tuple[str, str]]
    _index: dict[str, list[tuple[tuple[str, ...], str]]] = field(init=False, repr=False)

    #: A cut word must keep this many letters to count as the start of a label word.
    MIN_PREFIX = 5

    def __post_init__(self) -> None:
        self._index = defaultdict(list)
        for iri, label in self.labels:
            tokens = tuple(words(label).split())
            if tokens and (tokens, iri) not in self._index[tokens[0]]:
                self._index[tokens[0]].append((tokens, iri))
        for options in self._index.values():
            options.sort(key=lambda o: (-len(o[0]), o[1]))

    def find(self, text: str, truncated: bool = False) -> list[str]:
        """Concept IRIs named in ``text``, in order of appearance, without repeats."""
        tokens = words(text).split()
        found: list[str] = []
        i = 0
        while i < len(tokens):
            hit = self._at(tokens, i, truncated)
            if hit is None:
                i += 1
                continue
            length, iri = hit
            if iri not in found:
                found.append(iri)
            i += length
        return found

    def _at(self, tokens: list[str], i: int, truncated: bool) -> tuple[int, str] | None:
        last = len(tokens) - 1
        candidates = list(self._index.get(tokens[i], []))
        if truncated and i == last and len(tokens[i]) >= self.MIN_PREFIX:
            candidates += [
                o for key, opts in self._index.items() if key.startswith(tokens[i]) for o in opts
            ]
        for label, iri in sorted(candidates, key=lambda o: (-len(o[0]), o[1])):
            end = i + len(label) - 1
            if end > last:
                continue
            body_ok = all(tokens[i + k] == label[k] for k in range(len(label) - 1))
            tail = tokens[end]
            tail_ok = tail == label[-1] or (
                truncated
                and end == last
                and len(tail) >= self.MIN_PREFIX
                and label[-1].startswith(tail)
            )
            if body_ok and tail_ok:
                return len(label), iri
        return None


# ------------------------------------------------------------------ loading

_ENTRIES = """
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?top ?g ?s ?type ?label ?role WHERE {
  # DISTINCT: in the union graph a type stated by n graphs comes n times, and
  # joined with the labels of those n graphs gave n² rows (an organisation
  # named in every one of 1,000 ingested sheets: a million rows).
  { SELECT DISTINCT ?top ?s ?type WHERE {
      ?s a ?type . ?type rdfs:subClassOf* ?top . FILTER (isIRI(?s)) } }
  GRAPH ?g {
    { ?s skos:prefLabel ?label BIND("pref" AS ?role) }
    UNION { ?s skos:altLabel ?label BIND("alt" AS ?role) }
    UNION { ?s skos:hiddenLabel ?label BIND("hidden" AS ?role) }
    UNION { ?s rdfs:label ?label BIND("alt" AS ?role) }
  }
}
"""

_SUBCLASSES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?sub ?super WHERE { ?sub rdfs:subClassOf+ ?super . FILTER(isIRI(?sub) && isIRI(?super)) }
"""

_CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
SELECT ?scheme ?c ?label ?cls WHERE {
  ?c skos:inScheme ?scheme ; skos:altLabel ?label .
  OPTIONAL { ?c ag:kindClass ?cls }
}
"""


def gazetteer_from_store(store: Any, top: str) -> Gazetteer:
    """Every named instance of ``top`` (a class IRI, subclasses included) in
    ``store``, with its preferred, alternative and hidden labels.

    ``store`` must hold the ontology (for ``rdfs:subClassOf``). An instance with
    several types gets the most specific one as its kind.
    """
    supers: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_SUBCLASSES):
        supers[row["sub"].value].add(row["super"].value)
    names: dict[str, dict[Name, None]] = defaultdict(dict)
    types: dict[str, set[str]] = defaultdict(set)
    ranks: dict[str, int] = {}
    for row in store.select(_ENTRIES, {"top": ox.NamedNode(top)}):
        iri = row["s"].value
        types[iri].add(row["type"].value)
        names[iri][Name(row["label"].value, row["role"].value)] = None
        rank = 1 if group_of(row["g"].value) == "reference" else 0
        ranks[iri] = min(rank, ranks.get(iri, rank))
    entries = []
    for iri in sorted(names):
        kinds = types[iri]
        specific = sorted(k for k in kinds if not any(k in supers[o] for o in kinds if o != k))
        ordered = tuple(sorted(names[iri], key=lambda n: (n.role, n.text)))
        entries.append(Entry(iri, ordered, specific[0], ranks[iri]))
    return Gazetteer(entries)


@dataclass
class Vocabularies:
    """The concept matchers ingest uses, read from the vocabularies' altLabels."""

    themes: ConceptMatcher
    methods: ConceptMatcher
    resource_kinds: ConceptMatcher
    organisation_kinds: ConceptMatcher
    kind_class: dict[str, str]


def vocabularies_from_store(store: Any) -> Vocabularies:
    """Matchers for each scheme (``agc:themes``, ``agc:methods``, ``agc:resource-kinds``,
    ``agc:organisation-kinds``), from the concepts' ``skos:altLabel``."""
    by_scheme: dict[str, list[tuple[str, str]]] = defaultdict(list)
    kind_class: dict[str, str] = {}
    for row in store.select(_CONCEPTS):
        by_scheme[row["scheme"].value].append((row["c"].value, row["label"].value))
        if "cls" in row:
            kind_class[row["c"].value] = row["cls"].value

    def matcher(name: str) -> ConceptMatcher:
        return ConceptMatcher(sorted(set(by_scheme.get(str(CONCEPT_ID[name]), []))))

    return Vocabularies(
        themes=matcher("themes"),
        methods=matcher("methods"),
        resource_kinds=matcher("resource-kinds"),
        organisation_kinds=matcher("organisation-kinds"),
        kind_class=kind_class,
    )
