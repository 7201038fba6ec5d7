"""The reconciliation index: a written name (and what else is known of it) →
scored candidates, with a decision.

How a candidate is found, and its *name score* (0–100):

=========================================================  =====
the same words as one of its names                           100
the same but for a leading article ("Rochelle")               98
the same once the form of a public body is set aside, the
kinds agreeing ("Mairie de Bordeaux" → the commune Bordeaux;
"CD Gironde", "Région Aquitaine"): same article / another      96 / 93
only the candidate's name has a form ("Grand Angoulême" →
"CA du Grand Angoulême"), unless the query's type says it       85
a département by its number ("CD 33", "Département 2A")       100
one typo (OSA distance 1: a letter changed, added, dropped
or two swapped) in a name of 8 letters or more / of 5 to 7      90 / 80
two typos in a name of 14 letters or more                      86
further names within one more typo, listed for comparison    70 / 60
=========================================================  =====

Typos are looked for only when no name matches otherwise, never across a
number, a roman numeral or a one-letter code, and never in names shorter
than 5 letters. A name that is not the entity's preferred one costs 1 (another
name), 2 (a name as a source wrote it) or 5 (a former région's name).

Then the query's properties (:data:`~.vocab.QUERY_PROPERTIES`):

- an identifier that agrees — SIREN, INSEE code, website — gives the
  candidate **100 and the match outright** when it designates one candidate;
- a département or commune that agrees marks the candidate *disambiguated*;
- any property that disagrees (another SIREN, a commune of another
  département…) costs :data:`DISAGREE` points and forbids the match.

The decision (``match``): the best candidate is matched when its score is at
least :data:`MATCH_MIN`, it is ahead of the next one by at least
:data:`MARGIN`, no property disagrees with it, and — for a commune whose name
other communes share ("Saint-Martin") — a property (département, INSEE code,
SIREN) told it apart. See ``docs/reconcile.md``.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import heapq
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from stdnum.fr import siren as siren_check

from ..match import KIND_OF_CLASS, NameIndex, normalise, parse, words
from ..match.names import marks
from ..namespaces import BASE, ORG, ORG_ID
from ..project import group_of
from ..store import Store
from .entities import Entity, departement_of, host, read_entities
from .vocab import Kind, Types

# ------------------------------------------------------------------ scores

EXACT, EXACT_BUT_ARTICLE = 100.0, 98.0
FORM_AGREES, FORM_AGREES_OTHER_ARTICLE = 96.0, 93.0
FORM_CANDIDATE_ONLY = 85.0
CODE = 100.0
#: (distance, long name) → score; a long name has 8 letters or more for one
#: typo, 14 or more for two.
TYPO = {(1, True): 90.0, (1, False): 80.0, (2, True): 86.0}
#: Names one typo further than the best, listed for comparison.
NEAR = {2: 70.0, 3: 60.0}
TYPO_MIN_LENGTH, ONE_TYPO_LONG, TWO_TYPOS_LENGTH = 5, 8, 14
#: What a name that is not the preferred one costs, by level (see :mod:`.entities`).
LEVEL_COST = {0: 0.0, 1: 1.0, 2: 2.0, 3: 5.0}
IDENTIFIER = 100.0
#: What a property that disagrees costs.
DISAGREE = 40.0
#: The least score of a match, and how far ahead of the next candidate it must be.
MATCH_MIN, MARGIN = 85.0, 8.0
DEFAULT_LIMIT, MAX_LIMIT = 5, 100

_SIREN = re.compile(r"^\d{9}$|^\d{14}$")
_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.I)
_DEP_CODE = re.compile(r"^(?:\d{1,3}|2[AB])$", re.I)
#: "CD 33", "CD33", "Département 33", "Conseil départemental du 2A"…
_DEP_FORM = re.compile(
    r"^(?:cd|dep|dept|departement|conseil departemental|conseil general)"
    r"(?: d[eu]| de la| des| d)? ?(\d{1,3}|2a|2b)$"
)
_PARENS = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")


def siren_of(value: object) -> str | None:
    """A SIREN from what a spreadsheet holds: spaces and dots dropped, a
    SIRET cut to its first 9 digits, a leading zero a number lost put back.

    >>> siren_of("217 500 016"), siren_of(21750001600019), siren_of("12")
    ('217500016', '217500016', None)
    """
    text = re.sub(r"[\s.\u00a0-]", "", str(value))
    if not text.isdigit():
        return None
    if len(text) == 14:
        text = text[:9]
    if len(text) == 8:
        text = "0" + text
    return text if len(text) == 9 else None


def code_of(value: object) -> str | None:
    """An INSEE code from what a spreadsheet holds (upper case; a commune code
    that lost its leading zero as a number gets it back).

    >>> code_of(1001), code_of(" 2a004 "), code_of(33), code_of("x")
    ('01001', '2A004', '33', None)
    """
    text = str(value).strip().upper()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text.isdigit() and len(text) == 4:
        text = "0" + text
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if _COMMUNE_CODE.match(text) or _DEP_CODE.match(text):
        return text
    return None


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector held off while a block makes many objects
    that all live on (the index): otherwise it walks them over and over, and
    the build takes half as long again. (Process-wide; restored after.)"""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ------------------------------------------------------------------ queries and answers


@dataclass(frozen=True)
class Query:
    """One reconciliation query: a name, types (IRIs), a limit, and property
    values by property id (see :data:`~.vocab.QUERY_PROPERTIES`)."""

    text: str = ""
    types: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    properties: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def values(self, pid: str) -> list[Any]:
        return [v for p, vs in self.properties if p == pid for v in vs]


@dataclass(frozen=True)
class Candidate:
    """An entity a query may be, scored; ``match`` on the first one at most."""

    entity: Entity
    name: str
    description: str
    types: tuple[Kind, ...]
    score: float
    match: bool
    features: tuple[tuple[str, float | bool], ...] = ()

    @property
    def id(self) -> str:
        return self.entity.iri


@dataclass
class _Found:
    """A candidate being scored."""

    score: float
    level: int
    name: float  # the name score alone
    how: str
    identifier: bool = False
    disagrees: bool = False
    disambiguated: bool = False
    features: dict[str, float | bool] = field(default_factory=dict)


# ------------------------------------------------------------------ the index


class Reconciler:
    """Entities indexed by name, identifiers and territory; see the module's doc.

    Built once (:meth:`build`), then read by any number of threads.
    """

    def __init__(
        self,
        entities: Sequence[Entity],
        types: Types,
        region_of: Mapping[str, str] | None = None,
        store: Store | None = None,
    ) -> None:
        self.entities = list(entities)
        self.types = types
        self.store = store
        self._region_of = dict(region_of or {})
        self.by_iri: dict[str, int] = {}
        self._by_siren: dict[str, list[int]] = defaultdict(list)
        self._by_code: dict[str, list[int]] = defaultdict(list)
        self._by_host: dict[str, list[int]] = defaultdict(list)
        #: (body kind, INSEE code) → entity
        self._territory: dict[tuple[str, str], int] = {}
        self._body: list[str | None] = []
        self._dep: list[str | None] = []
        self._communes_named: dict[str, set[int]] = defaultdict(set)
        self._departements_named: dict[str, set[int]] = defaultdict(set)
        self._names = NameIndex()
        self._rests: dict[str, list[tuple[int, str | None, int]]] = defaultdict(list)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._suggest: list[tuple[str, int, int]] = []
        self._members: dict[int, set[int]] | None = None
        self._epcis_of: dict[int, set[int]] | None = None
        self._lock = threading.Lock()
        with paused_gc():
            for idx, ent in enumerate(self.entities):
                self._add(idx, ent)
            self._settle()
        shared = {k for k, v in self._communes_named.items() if len(v) > 1}
        #: Communes whose (preferred) name other communes share.
        self._homonymous = {
            idx
            for idx, ent in enumerate(self.entities)
            if self._body[idx] == "commune"
            and any(level == 0 and normalise(name) in shared for name, level in ent.names)
        }
        self._display = [self._display_name(i) for i in range(len(self.entities))]

    def _settle(self) -> None:
        self._suggest.sort()

    def __getstate__(self) -> dict[str, Any]:
        # The store and what is read from it on demand stay behind (see .cache).
        state = dict(self.__dict__)
        state.update(store=None, _lock=None, _members=None, _epcis_of=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @classmethod
    def build(cls, store: Store, reference_dir: Path | None = None) -> Reconciler:
        """The index of ``store``'s organisations and gazetteer (see :mod:`.entities`)."""
        with paused_gc():
            read = read_entities(store, reference_dir)
        return cls(read.entities, Types.read(store), read.region_of, store)

    def _add(self, idx: int, ent: Entity) -> None:
        body = ent.body
        self._body.append(body)
        code = next(iter(sorted(ent.codes)), None)
        dep = None
        if body == "commune" and code:
            dep = departement_of(code)
        elif body == "departement" and code:
            dep = code
        self._dep.append(dep)
        for iri in (ent.iri, *ent.aliases):
            self.by_iri[iri] = idx
        for siren in ent.sirens:
            self._by_siren[siren].append(idx)
        for c in ent.codes:
            self._by_code[c].append(idx)
            if body:
                self._territory[(body, c)] = idx
        for h in ent.hosts:
            self._by_host[h].append(idx)
        seen_rests: set[tuple[str, str | None]] = set()
        for name, level in ent.names:
            parsed = parse(name)
            if not parsed.words:
                continue
            self._names.add(str(idx), name, body, fuzzy=False, level=level)
            if body == "commune":
                self._communes_named[parsed.bare].add(idx)
            elif body == "departement":
                self._departements_named[parsed.bare].add(idx)
            for core in parsed.cores:
                key = (core.rest, core.kind)
                if core.rest and key not in seen_rests:
                    seen_rests.add(key)
                    if core.rest not in self._rests:
                        self._by_length[len(core.rest)].append(core.rest)
                    self._rests[core.rest].append((idx, core.kind, level))
            tokens = parsed.words.split(" ")
            for start in range(len(tokens)):
                self._suggest.append((" ".join(tokens[start:]), 1 if start else 0, idx))

    # ---- lookups ------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entities)

    def entity(self, iri: str) -> Entity | None:
        """The entity of ``iri`` (its own IRI or one of its aliases)."""
        idx = self.by_iri.get(iri)
        return None if idx is None else self.entities[idx]

    def index_of(self, ent: Entity) -> int:
        return self.by_iri[ent.iri]

    def body(self, ent: Entity) -> str | None:
        return self._body[self.index_of(ent)]

    def departement(self, ent: Entity) -> Entity | None:
        """The département of a commune (or the département itself)."""
        dep = self._dep[self.index_of(ent)]
        idx = self._territory.get(("departement", dep)) if dep else None
        return None if idx is None else self.entities[idx]

    def region(self, ent: Entity) -> Entity | None:
        """The région of a commune or département (or the région itself)."""
        idx = self.index_of(ent)
        if self._body[idx] == "region":
            return ent
        dep = self._dep[idx]
        region = self._region_of.get(dep) if dep else None
        found = self._territory.get(("region", region)) if region else None
        return None if found is None else self.entities[found]

    def epcis(self, ent: Entity) -> list[Entity]:
        """The EPCI a commune is a member of."""
        _, epcis_of = self._membership()
        return [self.entities[i] for i in sorted(epcis_of.get(self.index_of(ent), ()))]

    def member_departements(self, ent: Entity) -> list[Entity]:
        """The départements an EPCI's communes are in."""
        members, _ = self._membership()
        deps = {self._dep[c] for c in members.get(self.index_of(ent), ())} - {None}
        found = [self._territory.get(("departement", d)) for d in sorted(d for d in deps if d)]
        return [self.entities[i] for i in found if i is not None]

    def display_name(self, ent: Entity) -> str:
        """The name shown: the preferred one, with its département for a commune
        whose name other communes share ("Saint-Martin (Gers, 32)")."""
        return self._display[self.index_of(ent)]

    def _display_name(self, idx: int) -> str:
        ent = self.entities[idx]
        if idx not in self._homonymous:
            return ent.name
        dep = self._dep[idx]
        found = self._territory.get(("departement", dep)) if dep else None
        if found is None:
            return ent.name
        dep_ent = self.entities[found]
        return f"{ent.name} ({dep_ent.official or dep_ent.name}, {dep})"

    def kinds(self, ent: Entity) -> tuple[Kind, ...]:
        """Its most specific types."""
        return tuple(self.types.kinds[c] for c in self.types.most_specific(ent.classes))

    def describe(self, ent: Entity) -> str:
        """One line that tells the entity from its namesakes."""
        idx = self.index_of(ent)
        body = self._body[idx]
        kinds = ", ".join(k.name for k in self.kinds(ent)) or "Organisation"
        parts = [kinds]
        code = next(iter(sorted(ent.codes)), None)
        if body == "commune":
            dep = self.departement(ent)
            if dep is not None:
                parts.append(f"{dep.official or dep.name} ({self._dep[idx]})")
        elif body == "departement":
            region = self.region(ent)
            if region is not None:
                parts.append(region.official or region.name)
        if code and body in ("commune", "departement", "region"):
            parts.append(f"INSEE {code}")
        if ent.sirens:
            parts.append("SIREN " + ", ".join(sorted(ent.sirens)))
        if ent.directory:
            parts.append("annuaire")
        return " · ".join(parts)

    def allowed(self, types: Iterable[str]) -> frozenset[str] | None:
        """The classes a query of ``types`` accepts (None: any)."""
        types = list(types)
        if not types:
            return None
        out: set[str] = set()
        for t in types:
            out |= self.types.narrower(t)
        return frozenset(out)

    def _accepts(self, idx: int, allowed: frozenset[str] | None) -> bool:
        return allowed is None or not allowed.isdisjoint(self.entities[idx].classes)

    def _membership(self) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
        """EPCI → member communes and commune → EPCI, read from the store on first use."""
        with self._lock:
            if self._members is None or self._epcis_of is None:
                members: dict[int, set[int]] = defaultdict(set)
                epcis_of: dict[int, set[int]] = defaultdict(set)
                for commune, epci in _read_membership(self.store):
                    c, e = self.by_iri.get(commune), self.by_iri.get(epci)
                    if c is not None and e is not None:
                        members[e].add(c)
                        epcis_of[c].add(e)
                self._members, self._epcis_of = dict(members), dict(epcis_of)
            return self._members, self._epcis_of

    # ---- reconciliation --------------------------------------------------

    def reconcile(self, query: Query) -> list[Candidate]:
        """The candidates of ``query``, best first, at most ``query.limit``."""
        allowed = self.allowed(query.types)
        text, hinted = self._split_hint(query.text.strip())
        evidence = _Evidence.of(self, query, hinted)
        found: dict[int, _Found] = {}

        def keep(idx: int, score: float, level: int, how: str) -> None:
            if not self._accepts(idx, allowed):
                return
            cost = score - LEVEL_COST.get(level, 0.0)
            old = found.get(idx)
            if old is None or cost > old.score:
                found[idx] = _Found(cost, level, cost, how)

        if text:
            self._by_name(text, query, keep)
            self._by_identifier_text(text, keep)
        # Identifiers given as properties: each designates its entities.
        id_hits: set[int] = set()
        for idx in evidence.identified:
            if self._accepts(idx, allowed):
                id_hits.add(idx)
                if idx not in found:
                    found[idx] = _Found(0.0, 0, 0.0, "identifier")
        if not found and text and len(text) < 200:
            for idx, score, level, how in self._typos(text, self._query_body(query)):
                keep(idx, score, level, how)
        for idx, f in found.items():
            evidence.judge(self, idx, f)
            if idx in id_hits:
                f.identifier = True
        if len(id_hits) == 1:
            only = found[next(iter(id_hits))]
            only.score = IDENTIFIER
        for f in found.values():
            if f.disagrees:
                f.score = max(0.0, f.score - DISAGREE)
        ranked = sorted(
            found.items(),
            key=lambda item: (
                -(item[1].identifier and len(id_hits) == 1),
                -item[1].score,
                item[1].level,
                not self.entities[item[0]].directory,
                self.entities[item[0]].name,
                item[0],
            ),
        )
        match = self._decide(ranked, len(id_hits) == 1)
        limit = max(1, min(query.limit, MAX_LIMIT))
        out = []
        for n, (idx, f) in enumerate(ranked[:limit]):
            ent = self.entities[idx]
            features = {"name": round(f.name, 1), **f.features}
            out.append(
                Candidate(
                    ent,
                    self._display[idx],
                    self.describe(ent),
                    self.kinds(ent),
                    round(f.score, 1),
                    match and n == 0,
                    tuple(features.items()),
                )
            )
        return out

    def _decide(self, ranked: list[tuple[int, _Found]], identified: bool) -> bool:
        if not ranked:
            return False
        idx, best = ranked[0]
        if best.disagrees:
            return False
        if identified and best.identifier:
            return True
        if best.score < MATCH_MIN:
            return False
        if len(ranked) > 1 and best.score - ranked[1][1].score < MARGIN:
            return False
        return idx not in self._homonymous or best.disambiguated

    def _query_body(self, query: Query) -> str | None:
        """The one kind of public body the query's types allow, if one."""
        allowed = self.allowed(query.types)
        if allowed is None:
            return None
        bodies = {KIND_OF_CLASS.get(c.rsplit("#", 1)[-1]) for c in allowed}
        bodies.discard(None)
        return bodies.pop() if len(bodies) == 1 else None

    def _split_hint(self, text: str) -> tuple[str, list[str]]:
        """``text`` without a closing "(Gers)", "(32)" or "(Gers, 32)" that names
        a département, and the département codes it named."""
        m = _PARENS.match(text)
        if not m:
            return text, []
        codes = []
        for part in m.group(2).split(","):
            code = self._departement_code(part)
            if code is None:
                return text, []
            codes.append(code)
        return (m.group(1), codes) if codes else (text, [])

    def _departement_code(self, value: object) -> str | None:
        """The département code ``value`` writes (a code, a name, "33 - Gironde")."""
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            value = str(int(value)) if float(value).is_integer() else str(value)
        text = str(value).strip()
        m = re.match(r"^(\d{1,3}|2[abAB])(?:\s*[-–—:]\s*.*)?$", text)
        if m:
            code = m.group(1).upper().zfill(2)
            return code if ("departement", code) in self._territory else None
        bare = normalise(re.sub(r"\(.*\)", "", text))
        idxs = self._departements_named.get(bare, set())
        codes = {self._dep[i] for i in idxs} - {None}
        return codes.pop() if len(codes) == 1 else None

    def _by_name(self, text: str, query: Query, keep: Any) -> None:
        folded = words(text)
        m = _DEP_FORM.match(folded)
        if m:
            code = m.group(1).upper().zfill(2)
            idx = self._territory.get(("departement", code))
            if idx is not None:
                keep(idx, CODE, 0, "code")
        parsed = parse(text)
        query_form = len(parsed.cores) > 1
        query_body = self._query_body(query)
        for cand in self._names.matches(text):
            idx = int(cand.id)
            level = int(cand.extra.get("level", 0))
            if cand.how == "exact":
                score = EXACT if cand.score >= 1.0 else EXACT_BUT_ARTICLE
            elif query_form or (query_body is not None and query_body == self._body[idx]):
                score = FORM_AGREES if cand.score >= 0.9 else FORM_AGREES_OTHER_ARTICLE
            else:
                score = FORM_CANDIDATE_ONLY
            keep(idx, score, level, cand.how)

    def _by_identifier_text(self, text: str, keep: Any) -> None:
        """A query that is an identifier: a project IRI, a SIREN, a commune's INSEE code."""
        if text.startswith(BASE):
            idx = self.by_iri.get(text)
            if idx is not None:
                keep(idx, IDENTIFIER, 0, "iri")
            return
        compact = re.sub(r"[\s.]", "", text)
        if _SIREN.match(compact):
            siren = siren_of(compact)
            if siren and siren_check.is_valid(siren):
                for idx in self._by_siren.get(siren, ()):
                    keep(idx, IDENTIFIER, 0, "siren")
        elif _COMMUNE_CODE.match(compact):
            idx = self._territory.get(("commune", compact.upper()))
            if idx is not None:
                keep(idx, IDENTIFIER, 0, "inseeCode")

    def _typos(self, text: str, query_body: str | None) -> list[tuple[int, float, int, str]]:
        """Names one or two typos away from one of the readings of ``text``."""
        out: list[tuple[int, float, int, str]] = []
        parsed = parse(text)
        query_form = len(parsed.cores) > 1
        for core in parsed.cores:
            rest = core.rest
            letters = len(rest.replace(" ", ""))
            if letters < TYPO_MIN_LENGTH or (query_form and core.kind is None):
                continue
            allowed = 1 if len(rest) < TWO_TYPOS_LENGTH else 2
            near: dict[str, int] = {}
            for length in range(len(rest) - allowed - 1, len(rest) + allowed + 2):
                choices = self._by_length.get(length)
                if not choices:
                    continue
                for other, distance, _ in process.extract(
                    rest, choices, scorer=OSA.distance, score_cutoff=allowed + 1, limit=None
                ):
                    near[other] = int(distance)
            own = marks(rest)
            near = {o: d for o, d in near.items() if d > 0 and marks(o) == own}
            if not near or min(near.values()) > allowed:
                continue
            best = min(near.values())
            kind = core.kind or query_body
            for other, distance in near.items():
                if distance > best + 1:
                    continue
                if distance == best:
                    long = letters >= (ONE_TYPO_LONG if distance == 1 else TWO_TYPOS_LENGTH)
                    score = TYPO.get((distance, long), NEAR.get(distance + 1, 60.0))
                else:
                    score = NEAR.get(distance, 60.0)
                for idx, other_kind, level in self._rests[other]:
                    body = self._body[idx]
                    if len({k for k in (kind, other_kind, body) if k}) > 1:
                        continue
                    penalty = 0.0
                    if core.kind is None and other_kind is not None and query_body is None:
                        penalty = FORM_AGREES - FORM_CANDIDATE_ONLY
                    out.append((idx, score - penalty, level, "typo"))
        return out

    # ---- suggest ------------------------------------------------------

    def suggest(
        self, prefix: str, *, types: Iterable[str] = (), cursor: int = 0, limit: int = 10
    ) -> list[Entity]:
        """Entities whose name, or a word of it onwards, starts with ``prefix``
        (accents and case aside): whole names first, then by level, length, name."""
        allowed = self.allowed(types)
        text = prefix.strip()
        picked: list[int] = []
        seen: set[int] = set()
        direct = self.by_iri.get(text)
        if direct is None:
            siren = siren_of(text)
            hits = self._by_siren.get(siren, []) if siren else []
            hits = hits or self._by_code.get(text.upper(), [])
            direct = hits[0] if len(hits) == 1 else None
        if direct is not None and self._accepts(direct, allowed):
            picked.append(direct)
            seen.add(direct)
        key = words(text)
        if key:
            lo = bisect.bisect_left(self._suggest, (key,))
            hi = bisect.bisect_left(self._suggest, (key + "\uffff",))
            best: dict[int, tuple[int, int, int, str]] = {}
            for k, inner, idx in self._suggest[lo:hi]:
                if idx in seen or not self._accepts(idx, allowed):
                    continue
                ent = self.entities[idx]
                rank = (inner, 0 if ent.directory else 1, len(k), ent.name)
                if idx not in best or rank < best[idx]:
                    best[idx] = rank
            wanted = cursor + limit
            picked += [i for _, i in heapq.nsmallest(wanted, ((r, i) for i, r in best.items()))]
        return [self.entities[i] for i in picked[cursor : cursor + limit]]


@dataclass
class _Evidence:
    """What a query's properties say, ready to judge candidates with."""

    sirens: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    deps: set[str] = field(default_factory=set)
    communes: set[str] = field(default_factory=set)  # bare names
    identified: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, rec: Reconciler, query: Query, hinted: Sequence[str]) -> _Evidence:
        ev = cls()
        for v in query.values("siren"):
            if (s := siren_of(_scalar(v, rec))) is not None:
                ev.sirens.add(s)
        for v in query.values("inseeCode"):
            if (c := code_of(_scalar(v, rec))) is not None:
                ev.codes.add(c)
        for v in query.values("website"):
            if h := host(str(_scalar(v, rec))):
                ev.hosts.add(h)
        for v in [*query.values("departement"), *hinted]:
            value = _entity_code(v, rec, "departement") or _scalar(v, rec)
            if (d := rec._departement_code(value)) is not None:
                ev.deps.add(d)
        for v in query.values("commune"):
            if isinstance(v, Mapping) and "id" in v:
                idx = rec.by_iri.get(str(v["id"]))
                if idx is not None:
                    ev.communes.add(normalise(rec.entities[idx].name))
                    continue
            if bare := normalise(str(_scalar(v, rec))):
                ev.communes.add(bare)
        for s in ev.sirens:
            ev.identified.update(rec._by_siren.get(s, ()))
        for c in ev.codes:
            ev.identified.update(rec._by_code.get(c, ()))
        for h in ev.hosts:
            ev.identified.update(rec._by_host.get(h, ()))
        return ev

    def judge(self, rec: Reconciler, idx: int, found: _Found) -> None:
        """Mark ``found`` (the candidate ``idx``) as agreeing or disagreeing with the properties."""
        ent = rec.entities[idx]
        body = rec._body[idx]

        def verdict(name: str, agree: bool | None, *, tells_apart: bool = True) -> None:
            if agree is None:
                return
            found.features[name] = agree
            if not agree:
                found.disagrees = True
            elif tells_apart:
                found.disambiguated = True

        if self.sirens:
            verdict("siren", not self.sirens.isdisjoint(ent.sirens) if ent.sirens else None)
        if self.codes:
            verdict("inseeCode", not self.codes.isdisjoint(ent.codes) if ent.codes else None)
        if self.hosts:
            verdict("website", not self.hosts.isdisjoint(ent.hosts) if ent.hosts else None)
        if self.deps:
            verdict("departement", self._in_departements(rec, idx, body))
        if self.communes:
            # A commune's own name tells it from none of its namesakes.
            verdict("commune", self._holds_commune(rec, idx, body), tells_apart=body != "commune")

    def _in_departements(self, rec: Reconciler, idx: int, body: str | None) -> bool | None:
        dep = rec._dep[idx]
        if dep is not None:
            return dep in self.deps
        if body == "region":
            codes = rec.entities[idx].codes
            return any(rec._region_of.get(d) in codes for d in self.deps)
        if body == "epci":
            deps = {rec._dep[c] for c in rec._membership()[0].get(idx, ())}
            return bool(deps & self.deps) if deps else None
        return None

    def _holds_commune(self, rec: Reconciler, idx: int, body: str | None) -> bool | None:
        if body == "commune":
            return normalise(rec.entities[idx].name) in self.communes
        named = {c for name in self.communes for c in rec._communes_named.get(name, ())}
        if not named or body is None:
            return None
        if body == "epci":
            return bool(rec._membership()[0].get(idx, set()) & named)
        if body == "departement":
            return any(rec._dep[c] == rec._dep[idx] for c in named)
        if body == "region":
            codes = rec.entities[idx].codes
            return any(rec._region_of.get(rec._dep[c] or "") in codes for c in named)
        return None


def _scalar(value: Any, rec: Reconciler) -> Any:
    """A property value as a plain value: an entity ({"id", "name"}) by its name."""
    if isinstance(value, Mapping):
        return value.get("name") or value.get("id") or ""
    return value


def _entity_code(value: Any, rec: Reconciler, body: str) -> str | None:
    """The INSEE code of the entity a property value is ({"id": IRI}), if of ``body``."""
    if isinstance(value, Mapping) and "id" in value:
        idx = rec.by_iri.get(str(value["id"]))
        if idx is not None and rec._body[idx] == body:
            return rec._dep[idx]
    return None


_MEMBERSHIP = f"""
SELECT ?commune ?epci WHERE {{
  VALUES ?g {{ %s }}
  GRAPH ?g {{ ?commune <{ORG.memberOf}> ?epci }}
  FILTER (STRSTARTS(STR(?epci), "{ORG_ID}"))
}}
"""


def _read_membership(store: Store | None) -> list[tuple[str, str]]:
    if store is None:
        return []
    graphs = [g for g in store.graphs() if group_of(g) in ("reference", "data", "links")]
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs)
    return [
        (row["commune"].value, row["epci"].value)
        for row in store.select(_MEMBERSHIP % values, union=False)
    ]


__all__ = [
    "DEFAULT_LIMIT",
    "DISAGREE",
    "MARGIN",
    "MATCH_MIN",
    "MAX_LIMIT",
    "Candidate",
    "Query",
    "Reconciler",
    "code_of",
    "siren_of",
]
