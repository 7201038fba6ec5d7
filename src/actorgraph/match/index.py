"""An index of names, built once and extended one name at a time, that finds
the candidates a written name may refer to, each with a score.

Three ways of matching, closest first:

- **exact**: the same words (score 1.0), or the same but for a leading
  article (0.95);
- **form**: the same core once the forms of public bodies are set aside
  ("Mairie de Paris" and "Ville de Paris", "Gironde" and "Département de la
  Gironde"), the kinds the forms imply agreeing (0.9 when the articles agree
  too, "Ville du Vernet" and "Le Vernet"; 0.85 otherwise);
- **typo**, only when neither finds anything: one edit in a name of 8 to 15
  letters, two from 16 (0.8, 0.7), never in a name written in capitals (an
  acronym one letter off is another body) nor across a number, a year, a roman
  numeral or a one-letter code ("Tramway 12" is not "Tramway 120").

>>> index = NameIndex()
>>> index.add("mel", "Métropole Européenne de Lille", "epci")
>>> index.add("paris", "Paris", "commune")
>>> index.add("paris-75", "Paris", "departement")
>>> index.add("t12", "Projet Tramway 12")
>>> [(c.id, c.score, c.how) for c in index.candidates("Ville de Paris")]
[('paris', 0.9, 'form')]
>>> [c.id for c in index.candidates("Paris", kind="departement")]
['paris-75']
>>> index.candidates("Metropole Europeene de Lille")[0].how
'typo'
>>> index.candidates("Projet Tramway 120")
[]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .names import Core, Parsed, body_kind, parse

#: Scores of each way of matching (see the module's doc).
EXACT, EXACT_BUT_ARTICLE, FORM_SAME_ARTICLE, FORM = 1.0, 0.95, 0.9, 0.85
TYPO = {1: 0.8, 2: 0.7}
#: Shorter names are not looked for with a typo: too many are one letter apart.
TYPO_MIN_LENGTH = 8
#: From this length on, two edits are allowed.
TWO_TYPOS_LENGTH = 16
#: How each way of matching is called, closest first.
WAYS = ("exact", "form", "typo")


@dataclass(frozen=True)
class Candidate:
    """An indexed name that a written name may refer to."""

    id: str
    name: str
    kind: str | None
    score: float
    #: The same words (or the same but for a leading article).
    exact: bool
    #: exact, form or typo.
    how: str
    #: What was given to :meth:`NameIndex.add` besides the id, name and kind.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(eq=False)
class _Posting:
    seq: int
    id: str
    name: str
    kind: str | None
    body: str | None
    fuzzy: bool
    extra: Mapping[str, Any]


def _compatible(*kinds: str | None) -> bool:
    """At most one kind of body among ``kinds`` (None says nothing)."""
    return len({k for k in kinds if k is not None}) <= 1


class NameIndex:
    """Names of things (organisations, projects…) by id, for :meth:`candidates`.

    Adding a name costs the same however many are indexed. :meth:`derived`
    makes an index that sees this one's names and keeps its own additions,
    leaving this one as it is.
    """

    def __init__(self, parent: NameIndex | None = None) -> None:
        self._parent = parent
        #: This index's chain, the first ancestor first: where lookups go.
        self._layers: tuple[NameIndex, ...] = (*parent._layers, self) if parent else (self,)
        self._counter: Iterator[int] = parent._counter if parent else itertools.count()
        self._size = 0
        self._words: dict[str, list[_Posting]] = {}
        self._bare: dict[str, list[_Posting]] = {}
        self._rest: dict[str, list[tuple[_Posting, Core]]] = {}
        #: (length, first letter, marks) → bare names of fuzzy postings, for typos
        self._near: dict[tuple[int, str, tuple[str, ...]], list[str]] = {}
        self._near_seen: set[str] = set()

    def __len__(self) -> int:
        """How many names were added (to this index and the one it derives from)."""
        return self._size + (len(self._parent) if self._parent else 0)

    def derived(self) -> NameIndex:
        """A new index over this one: it finds this one's names and its own.

        >>> base = NameIndex(); base.add("a", "Atelier Sobriété")
        >>> more = base.derived(); more.add("b", "Bureau des Communs")
        >>> len(base), len(more), [c.id for c in more.candidates("Atelier Sobriété")]
        (1, 2, ['a'])
        """
        return NameIndex(self)

    def add(
        self, id: str, name: str, kind: str | None = None, /, *, fuzzy: bool = True, **extra: Any
    ) -> None:
        """Index ``name`` for ``id`` (an entity may have several names).

        ``kind`` is the caller's own (a class IRI, "commune"…): candidates can
        be restricted to one, and a kind of public body (see
        :func:`~actorgraph.match.names.body_kind`) must agree with the forms of
        the names compared. ``fuzzy=False`` keeps the name out of typo searches.
        ``extra`` comes back with each candidate. A name without letters or
        digits is not indexed.
        """
        parsed = parse(name)
        if not parsed.words:
            return
        posting = _Posting(
            next(self._counter), id, name, kind, body_kind(kind), fuzzy, MappingProxyType(extra)
        )
        self._size += 1
        self._words.setdefault(parsed.words, []).append(posting)
        self._bare.setdefault(parsed.bare, []).append(posting)
        for core in parsed.cores:
            # A form that contradicts the name's own kind says nothing of it.
            if core.kind is None or posting.body is None or core.kind == posting.body:
                self._rest.setdefault(core.rest, []).append((posting, core))
        if fuzzy and parsed.bare not in self._near_seen:
            self._near_seen.add(parsed.bare)
            key = (len(parsed.bare), parsed.bare[0], parsed.marks)
            self._near.setdefault(key, []).append(parsed.bare)

    def _postings(self, table: str, key: str) -> list[_Posting]:
        return [p for index in self._layers for p in getattr(index, table).get(key, ())]

    def matches(self, text: str, kind: str | None = None) -> list[Candidate]:
        """Every indexed name ``text`` may be, best first: those found exactly or
        by form, else those found with a typo. An entity found through several
        of its names comes once per name. ``kind`` keeps only names indexed
        with that kind."""
        query = parse(text)
        if not query.words:
            return []
        body = body_kind(kind)
        found: dict[_Posting, tuple[float, str]] = {}

        def keep(posting: _Posting, score: float, how: str) -> None:
            if kind is not None and posting.kind != kind:
                return
            if posting not in found or found[posting][0] < score:
                found[posting] = (score, how)

        for posting in self._postings("_words", query.words):
            keep(posting, EXACT, "exact")
        for posting in self._postings("_bare", query.bare):
            keep(posting, EXACT_BUT_ARTICLE, "exact")
        for core in query.cores:
            if not _compatible(core.kind, body):
                continue
            for index in self._layers:
                for posting, other in index._rest.get(core.rest, ()):
                    if core.kind is None and other.kind is None:
                        continue  # the whole names: compared above
                    if _compatible(core.kind, other.kind, body, posting.body):
                        same = core.article == other.article
                        keep(posting, FORM_SAME_ARTICLE if same else FORM, "form")
        if not found:
            for posting, distance in self._typos(text, query):
                keep(posting, TYPO[distance], "typo")
        ranked = sorted(found.items(), key=lambda pf: (-pf[1][0], pf[0].seq))
        return [
            Candidate(p.id, p.name, p.kind, score, how == "exact", how, p.extra)
            for p, (score, how) in ranked
        ]

    def candidates(
        self, text: str, kind: str | None = None, *, limit: int | None = 10
    ) -> list[Candidate]:
        """The entities ``text`` may name, best first, each once (through its
        best name; the first added among equals); at most ``limit`` of them.

        >>> index = NameIndex()
        >>> index.add("cdc", "Caisse des Dépôts", "Bank"); index.add("cdc", "CDC", "Bank")
        >>> [(c.id, c.name, c.score) for c in index.candidates("la caisse des depots")]
        [('cdc', 'Caisse des Dépôts', 0.95)]
        """
        out: dict[str, Candidate] = {}
        for candidate in self.matches(text, kind):
            out.setdefault(candidate.id, candidate)
        ranked = list(out.values())
        return ranked if limit is None else ranked[:limit]

    def _typos(self, text: str, query: Parsed) -> list[tuple[_Posting, int]]:
        """Fuzzy postings one or two edits from ``query``, at the smallest distance found."""
        bare = query.bare
        if len(bare) < TYPO_MIN_LENGTH or text.replace(" ", "").isupper():
            return []
        limit = 1 if len(bare) < TWO_TYPOS_LENGTH else 2
        near: dict[str, int] = {}
        for length in range(len(bare) - limit, len(bare) + limit + 1):
            key = (length, bare[0], query.marks)
            for index in self._layers:
                choices = index._near.get(key)
                if not choices:
                    continue
                # One call over the whole bucket: the loop runs in rapidfuzz, not here.
                for other, distance, _ in process.extract(
                    bare, choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
                ):
                    near[other] = int(distance)
        if not near:
            return []
        best = min(near.values())
        return [
            (posting, best)
            for other, distance in near.items()
            if distance == best
            for posting in self._postings("_bare", other)
            if posting.fuzzy
        ]
