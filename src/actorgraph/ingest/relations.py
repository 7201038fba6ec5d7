"""Facts from a parsed sheet: who the sheet is about, its projects, partners,
dates, durations, counts and resources — each fact with the line that gave it.

The sentence patterns are French and deliberately narrow: a pattern that does
not fire states nothing, and names that match no organisation are reported in
:attr:`Extraction.unmatched`, never invented (unless ``create_unknown``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS

from ..match import normalise
from ..namespaces import (
    AG,
    CONCEPT_ID,
    GRAPH,
    ORG_ID,
    PARTNERSHIP_ID,
    PROJECT_ID,
    RESOURCE_ID,
    SCHEMA,
    SOURCE_ID,
)
from ..slug import fold, instance_iri, slugify
from .recognise import Entry, Gazetteer, Match, Name, Vocabularies
from .sheet import Item, Sheet

# A plain Namespace: rdflib's DefinedNamespace XSD upsets doctest collection.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

#: The activity every ingested graph ``prov:wasGeneratedBy``: how a file made by
#: ``actorgraph ingest`` is told from a curated one (docs/model.md).
INGEST_ACTIVITY = "https://w3id.org/actorgraph/ingest"

NUMBERS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "cent": 100,
}
_NUM = r"(\d{1,3}|" + "|".join(NUMBERS) + r")"
_UNIT = {
    "mois": "M",
    "semaine": "W",
    "semaines": "W",
    "an": "Y",
    "ans": "Y",
    "année": "Y",
    "années": "Y",
    "jour": "D",
    "jours": "D",
}
_UNITS = r"(mois|semaines?|ans?|années?|jours?)"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Ý«])")
_FOUNDED = re.compile(r"\b(?:créée?|fondée?)\s+en\s+(\d{4})\b", re.IGNORECASE)
_SINCE = re.compile(
    r"\b(?:depuis|lancée?\s+en|créée?\s+en|démarrée?\s+en)\s+(\d{4})\b", re.IGNORECASE
)
_INCUBATED = re.compile(
    r"\bincubée?s?\s+(?:à|au|aux|par|chez)\s+(?P<name>.+?)(?=,|;|\.(?:\s|$)|\s+et\s|\s+puis\s|$)",
    re.IGNORECASE,
)
_PROJECT_PARTNERS = re.compile(r"\ben\s+partenariat\s+avec\s+(?P<list>.+)$", re.IGNORECASE)
_GENERAL_PARTNERS = re.compile(
    r"\bpartenaires?\s+(?:avec|de)\s+(?P<list>.+)$|\ben\s+partenariat\s+avec\s+(?P<list2>.+)$",
    re.IGNORECASE,
)
_TIMES = re.compile(rf"\bpendant\s+{_NUM}\s+fois\s+(une?|{_NUM})\s+{_UNITS}\b", re.IGNORECASE)
_DURATION = re.compile(rf"\bpendant\s+{_NUM}\s+{_UNITS}\b", re.IGNORECASE)
_COUNT = re.compile(rf"\b{_NUM}\s+([a-zà-öø-ÿ][\w'’-]*(?:\s+[\w'’-]+){{0,6}})", re.IGNORECASE)
_COUNT_STOP = {"pour", "qui", "afin", "que", "dans", "sur", "avec", "par", "au", "aux", "et", "à"}
_NOT_COUNTED = {
    "mois",
    "semaine",
    "semaines",
    "an",
    "ans",
    "année",
    "années",
    "jour",
    "jours",
    "fois",
    "heures",
}
_OPEN = re.compile(
    r"\bcode\s+source\b|\bdisponibles?\s+en\s+ligne\b|\ben\s+(?:libre\s+accès|accès\s+libre|open\s+source)\b",
    re.IGNORECASE,
)
_DISPOSITIF = re.compile(r"\(\s*dispositif\s+(?P<name>[^)]+?)\s*\)", re.IGNORECASE)
_SETTINGS = re.compile(r"\bdans\s+(?:un|une)\s[^–—]*?[–—]\s*(?P<list>[^–—]+?)\s*[–—]")
_PROGRAMME = re.compile(r"\b(?:programme|dispositif)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:la|le|les|l['’]|the)\s*", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<other>[^()]+)\)$")
_GENERAL_INTEREST = re.compile(r"\bd['’]intérêt\s+général\b", re.IGNORECASE)
_SPLIT_AND = re.compile(r"\s+(?:et|ainsi\s+que)\s+")
# "l'association", "cette coopérative": a kind word the sheet gives its actor
# (not "la région de Bretagne", which names another body).
_SELF_KIND = re.compile(
    r"\b(?:l['’]|la\s+|le\s+|cette\s+|ce\s+|notre\s+)([a-zà-ÿ][\w-]*)(?!\s+(?:de|du|des|d['’])\s*[A-ZÀ-Ý])"
)

Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Fact:
    """One triple and where in the sheet it comes from."""

    subject: str
    predicate: str
    object: Term
    line: int
    why: str

    def triple(self) -> ox.Triple:
        return ox.Triple(ox.NamedNode(self.subject), ox.NamedNode(self.predicate), self.object)


@dataclass(frozen=True)
class Unmatched:
    """A name the sheet gives that no organisation of the gazetteer bears."""

    name: str
    line: int
    role: str


@dataclass
class Extraction:
    """Everything ingest says about one sheet."""

    sheet: Sheet
    slug: str
    actor: str
    facts: list[Fact] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def graph(self) -> str:
        return str(GRAPH[self.slug])

    @property
    def source(self) -> str:
        return str(SOURCE_ID[f"{self.slug}-sheet"])

    def add(self, s: str, p: object, o: Term, line: int, why: str) -> None:
        self.facts.append(Fact(s, str(p), o, line, why))

    def triples(self) -> list[ox.Triple]:
        seen: dict[ox.Triple, None] = {}
        for fact in self.facts:
            seen.setdefault(fact.triple(), None)
        return list(seen)


def _iri(x: object) -> ox.NamedNode:
    return ox.NamedNode(str(x))


def _web_iri(url: str) -> ox.NamedNode | None:
    """``url`` as an IRI, or None when it is not one (``"``, ``{``, spaces …)."""
    try:
        return ox.NamedNode(url)
    except ValueError:
        return None


def _fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def _typed(value: str, datatype: object) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS.get(word.lower(), 1)


def _slug(text: str) -> str | None:
    try:
        return slugify(text)
    except ValueError:
        return None


def sentences(text: str) -> list[str]:
    """The sentences of a prose line.

    >>> sentences("Créé en 2012. La 27ème Région mène des projets.")
    ['Créé en 2012.', 'La 27ème Région mène des projets.']
    """
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def strip_article(name: str) -> str:
    """A name as written, without its leading article or trailing dots.

    >>> strip_article("L'Eurométropole de Strasbourg."), strip_article("la Région Bretagne....")
    ('Eurométropole de Strasbourg', 'Région Bretagne')
    """
    name = name.strip().rstrip(".…;:!? ").strip()
    return _ARTICLE.sub("", name, count=1).strip() if _ARTICLE.match(name) else name


def split_names(text: str) -> list[str]:
    """The pieces of a list of names: commas outside brackets, then kept whole.

    >>> split_names("la MEL, la DITP (Direction, etc.), Metz-Métropole")
    ['la MEL', 'la DITP (Direction, etc.)', 'Metz-Métropole']
    """
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if ch in ",;" and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip(" .…")]


@dataclass
class Recognised:
    """A written name and what it was recognised as (or None)."""

    written: str
    expansion: str | None
    match: Match | None


class Extractor:
    """Turns one :class:`Sheet` into an :class:`Extraction`."""

    def __init__(
        self,
        organisations: Gazetteer,
        projects: Gazetteer,
        vocabularies: Vocabularies,
        *,
        create_unknown: bool = False,
        retrieved: dt.date | None = None,
    ) -> None:
        # Organisations created for unknown names go to a gazetteer of the
        # extractor's own: the one given (a context's) is left as it was.
        self.organisations = organisations.extended()
        self.projects = projects
        self.vocab = vocabularies
        self.create_unknown = create_unknown
        self.retrieved = retrieved

    # ----------------------------------------------------------- names
    def recognise(self, piece: str) -> list[Recognised]:
        """One or more organisation names in a list piece (``A et B``)."""
        whole = self._recognise_one(piece)
        if whole.match is not None or not _SPLIT_AND.search(piece):
            return [whole]
        parts = [p for p in _SPLIT_AND.split(piece) if p.strip(" .…")]
        return [self._recognise_one(p) for p in parts]

    def _recognise_one(self, piece: str) -> Recognised:
        text = strip_article(piece)
        expansion = None
        m = _ABBREVIATION.match(text)
        if m:
            text, expansion = strip_article(m.group("name")), m.group("other").strip()
        alternatives = (expansion,) if expansion else ()
        return Recognised(text, expansion, self.organisations.match(text, *alternatives))

    def _kind_of_name(self, name: str) -> str:
        """The class a name's leading words give ("Région Bretagne" → ag:Region)."""
        words = " ".join(name.split()[:3])
        for concept in self.vocab.organisation_kinds.find(words):
            cls = self.vocab.kind_class.get(concept)
            if cls and fold(words).startswith(fold(name.split()[0])):
                return cls
        return str(AG.Organisation)

    def organisation(self, out: Extraction, rec: Recognised, line: int, role: str) -> str | None:
        """The IRI of a recognised organisation, its facts added to ``out``; None when unknown."""
        why = f"{role}: “{rec.written}”"
        match = rec.match
        if match is None:
            if not self.create_unknown:
                out.unmatched.append(Unmatched(rec.written, line, role))
                return None
            pref = rec.expansion if rec.expansion and rec.written.isupper() else rec.written
            slug = _slug(pref)
            if slug is None:
                out.unmatched.append(Unmatched(rec.written, line, role))
                return None
            iri = str(ORG_ID[slug])
            entry = Entry(iri, (Name(pref, "pref"),), self._kind_of_name(pref))
            if rec.expansion and pref != rec.written:
                entry = Entry(iri, (*entry.names, Name(rec.written, "alt")), entry.kind)
            self.organisations.add(entry)
            out.notes.append(
                (line, f"created organisation <{iri}> for unknown name “{rec.written}”")
            )
            out.add(iri, RDF.type, _iri(entry.kind), line, why + " (created)")
            for name in entry.names:
                label = SKOS.prefLabel if name.role == "pref" else SKOS.altLabel
                out.add(iri, label, _fr(name.text), line, why + " (created)")
            out.add(iri, PROV.wasDerivedFrom, _iri(out.source), line, why)
            return iri
        iri = match.entry.iri
        out.add(iri, RDF.type, _iri(match.entry.kind), line, why + f" (recognised, {match.how})")
        known = match.entry.pref
        if known:
            out.add(iri, SKOS.prefLabel, _fr(known), line, why + " (preferred name)")
        # The sheet's own spelling is kept, down to its capitals ("ville de Mulhouse").
        if match.how == "typo" or match.name.role == "hidden":
            out.add(iri, SKOS.hiddenLabel, _fr(rec.written), line, why + " (misspelling)")
        elif rec.written != known:
            out.add(iri, SKOS.altLabel, _fr(rec.written), line, why + " (name as written)")
        if rec.expansion and rec.expansion != known:
            out.add(iri, SKOS.altLabel, _fr(rec.expansion), line, why + " (expansion as written)")
        out.add(iri, PROV.wasDerivedFrom, _iri(out.source), line, why)
        return iri

    # ----------------------------------------------------------- sheet
    def extract(self, sheet: Sheet) -> Extraction:
        title = sheet.title.value
        found = self.organisations.match(title)
        actor = found.entry.iri if found else instance_iri("organisation", title)
        slug = actor.rsplit("/", 1)[-1]
        out = Extraction(sheet, slug, actor)
        self._source(out)
        self._actor(out, found)
        for item in sheet.items:
            self._project(out, item)
        self._paragraph_relations(out)
        self._resources(out)
        for located in sheet.ignored:
            out.notes.append((located.line, f"ignored (page furniture): “{located.value[:60]}”"))
        return out

    def _source(self, out: Extraction) -> None:
        sheet, src = out.sheet, out.source
        line = sheet.title.line
        out.add(src, RDF.type, _iri(AG.Source), line, "the sheet")
        out.add(src, DCTERMS.title, _fr(sheet.title.value), line, "title line")
        if sheet.updated is not None:
            out.add(
                src,
                DCTERMS.modified,
                _typed(sheet.updated.value.isoformat(), XSD.date),
                sheet.updated.line,
                "“Mis à jour le …”",
            )
        out.add(src, AG.fileName, ox.Literal(sheet.file_name), line, "file name")
        out.add(src, AG.sha256, ox.Literal(sheet.sha256), line, "SHA-256 of the text")
        if self.retrieved is not None:
            out.add(
                src,
                AG.retrieved,
                _typed(self.retrieved.isoformat(), XSD.date),
                line,
                "retrieval date",
            )
        out.add(out.graph, PROV.wasDerivedFrom, _iri(src), line, "named graph of the sheet")
        out.add(
            out.graph, PROV.wasGeneratedBy, _iri(INGEST_ACTIVITY), line, "made by actorgraph ingest"
        )

    def _actor_kind(self, sheet: Sheet) -> str | None:
        """The kind the sheet gives its actor ("l'association indépendante")."""
        counts: dict[str, int] = {}
        for p in sheet.paragraphs:
            for m in _SELF_KIND.finditer(p.text):
                for concept in self.vocab.organisation_kinds.find(m.group(1)):
                    cls = self.vocab.kind_class.get(concept)
                    if cls and cls != str(AG.Organisation):
                        counts[cls] = counts.get(cls, 0) + 1
        return max(sorted(counts), key=lambda c: counts[c]) if counts else None

    def _actor(self, out: Extraction, found: Match | None) -> None:
        sheet, actor, line = out.sheet, out.actor, out.sheet.title.line
        kind = self._actor_kind(sheet) or (found.entry.kind if found else str(AG.Organisation))
        out.add(actor, RDF.type, _iri(kind), line, "the actor the sheet is about")
        pref = found.entry.pref if found else None
        if pref:
            out.add(actor, SKOS.prefLabel, _fr(pref), line, "preferred name (recognised)")
        else:
            pref = sheet.title.value
            out.add(actor, SKOS.prefLabel, _fr(pref), line, "title line")
        names = {sheet.title.value: line}
        names.update(self._self_mentions(sheet))
        for name, at in names.items():
            if name.casefold() != pref.casefold():
                out.add(actor, SKOS.altLabel, _fr(name), at, "name as written")
        out.add(actor, PROV.wasDerivedFrom, _iri(out.source), line, "the sheet")
        contact = sheet.contact
        urls: list[tuple[ox.NamedNode, int]] = []
        for url in contact.urls if contact is not None else []:
            iri = _web_iri(url.value)
            if iri is None:
                # A copied page may hold any character; a URL that is no IRI
                # (a quote, a brace…) is left out and said, not raised.
                out.notes.append(
                    (url.line, f"contact URL “{url.value}” is not a valid IRI; skipped")
                )
            else:
                urls.append((iri, url.line))
        if contact is not None and (urls or contact.emails):
            point = actor + "#contact"
            out.add(actor, AG.contactPoint, _iri(point), contact.line, "CONTACT block")
            out.add(point, RDF.type, _iri(AG.ContactPoint), contact.line, "CONTACT block")
            out.add(point, PROV.wasDerivedFrom, _iri(out.source), contact.line, "CONTACT block")
            for iri, at in urls:
                out.add(point, SCHEMA.url, iri, at, "URL in CONTACT")
            if urls:
                out.add(actor, FOAF.homepage, urls[0][0], urls[0][1], "first URL in CONTACT")
            for email in contact.emails:
                out.add(
                    point, SCHEMA.email, ox.Literal(email.value), email.line, "e-mail in CONTACT"
                )

    def _self_mentions(self, sheet: Sheet) -> dict[str, int]:
        """How the prose names the actor: article + the title or its first words
        ("La 27ème Région", "La 27ème")."""
        words = _ARTICLE.sub("", sheet.title.value).split()
        if not words:
            return {}
        tail = "".join(rf"(?:\s+{re.escape(w)}" for w in words[1:]) + ")?" * (len(words) - 1)
        pattern = re.compile(
            rf"\b(La|Le|Les|L['’])\s*({re.escape(words[0])}{tail})(?![\w-])", re.IGNORECASE
        )
        found: dict[str, int] = {}
        for p in sheet.paragraphs:
            for m in pattern.finditer(p.text):
                article = m.group(1)
                article = article[0].upper() + article[1:].lower()
                sep = "" if article.endswith(("'", "’")) else " "
                if len(m.group(2)) >= 3:
                    found.setdefault(f"{article}{sep}{m.group(2)}", p.line)
        return found

    def _project(self, out: Extraction, item: Item) -> None:
        match = self.projects.match(item.lead)
        slug = _slug(item.lead)
        if match is None and slug is None:
            out.notes.append(
                (item.line, f"item “{item.lead}” has no letters to name it by; skipped")
            )
            return
        iri = match.entry.iri if match else str(PROJECT_ID[slug or ""])
        line, why = item.line, f"item “{item.lead}”"
        kind = AG.Programme if _PROGRAMME.search(item.text) else AG.Project
        out.add(iri, RDF.type, _iri(kind), line, why)
        pref = match.entry.pref if match else None
        if pref:
            out.add(iri, SKOS.prefLabel, _fr(pref), line, why + " (preferred name, recognised)")
            if item.lead.casefold() != pref.casefold():
                out.add(iri, SKOS.altLabel, _fr(item.lead), line, why + " (name as written)")
        else:
            out.add(iri, SKOS.prefLabel, _fr(item.lead), line, why)
        out.add(iri, AG.leader, _iri(out.actor), line, why + " listed among the actor's projects")
        out.add(iri, PROV.wasDerivedFrom, _iri(out.source), line, why)
        for phrase in item.bold:
            for concept in self.vocab.methods.find(phrase):
                out.add(iri, AG.method, _iri(concept), line, f"bold “{phrase}”")
        for concept in self.vocab.themes.find(item.text):
            out.add(iri, AG.theme, _iri(concept), line, "theme word in the item")
        since = _SINCE.search(item.text)
        if since:
            out.add(
                iri,
                SCHEMA.startDate,
                _typed(since.group(1), XSD.gYear),
                line,
                f"“{since.group(0)}”",
            )
        self._immersion(out, iri, item.text, line)
        for m in _COUNT.finditer(item.text):
            words = m.group(2).split()
            if words[0].lower() in _NOT_COUNTED or not words[0].lower().endswith(("s", "x")):
                continue
            label = []
            for w in words:
                if w.lower() in _COUNT_STOP:
                    break
                label.append(w.rstrip(".,;:!?"))
                if w[-1] in ".,;:!?":
                    break
            out.add(
                iri,
                AG.outputCount,
                _typed(str(_number(m.group(1))), XSD.integer),
                line,
                f"“{m.group(0).strip()}”",
            )
            out.add(iri, AG.outputLabel, _fr(" ".join(label)), line, f"“{m.group(0).strip()}”")
            break
        opened = _OPEN.search(item.text)
        if opened:
            out.add(iri, AG.openMethod, _typed("true", XSD.boolean), line, f"“{opened.group(0)}”")
        for sentence in sentences(item.text):
            partners = _PROJECT_PARTNERS.search(sentence)
            if partners:
                self._partners(
                    out, iri, partners.group("list"), line, "project-partner", AG.inProject
                )

    def _immersion(self, out: Extraction, iri: str, text: str, line: int) -> None:
        times = _TIMES.search(text)
        if times:
            count, per, _, unit = times.group(1), times.group(2), times.group(3), times.group(4)
            n = 1 if per.lower() in ("un", "une") else _number(per)
            out.add(
                iri,
                AG.immersionCount,
                _typed(str(_number(count)), XSD.integer),
                line,
                f"“{times.group(0)}”",
            )
            out.add(
                iri,
                AG.immersionDuration,
                _typed(f"P{n}{_UNIT[unit.lower()]}", XSD.duration),
                line,
                f"“{times.group(0)}”",
            )
            return
        duration = _DURATION.search(text)
        if duration:
            n, unit = _number(duration.group(1)), _UNIT[duration.group(2).lower()]
            out.add(
                iri,
                AG.immersionDuration,
                _typed(f"P{n}{unit}", XSD.duration),
                line,
                f"“{duration.group(0)}”",
            )

    def _partners(
        self, out: Extraction, owner: str, listing: str, line: int, role: str, link: object
    ) -> None:
        listing = listing.strip()
        comme = re.search(r"\b(?:comme|notamment|dont)\s+", listing)
        if comme:
            listing = listing[comme.end() :]
        listing = listing.split(". ")[0]
        owner_slug = owner.rsplit("/", 1)[-1]
        seen: set[str] = set()
        for piece in split_names(listing):
            for rec in self.recognise(piece):
                if not normalise(rec.written):
                    continue
                partner = self.organisation(out, rec, line, f"{role}")
                if partner is None or partner in seen or partner == out.actor:
                    continue
                seen.add(partner)
                part = str(PARTNERSHIP_ID[f"{owner_slug}--{partner.rsplit('/', 1)[-1]}"])
                why = f"{role}: “{rec.written}”"
                out.add(part, RDF.type, _iri(AG.Partnership), line, why)
                out.add(part, str(link), _iri(owner), line, why)
                out.add(part, AG.partner, _iri(partner), line, why)
                out.add(part, AG.role, _iri(CONCEPT_ID[role]), line, why)
                out.add(part, AG.partnerName, _fr(rec.written), line, why)
                out.add(part, PROV.wasDerivedFrom, _iri(out.source), line, why)

    def _paragraph_relations(self, out: Extraction) -> None:
        actor = out.actor
        for p in out.sheet.paragraphs:
            line = p.line
            for phrase in p.bold:
                for concept in self.vocab.methods.find(phrase):
                    out.add(actor, AG.approach, _iri(concept), line, f"bold “{phrase}”")
            for sentence in sentences(p.text):
                founded = _FOUNDED.search(sentence)
                if founded:
                    out.add(
                        actor,
                        SCHEMA.foundingDate,
                        _typed(founded.group(1), XSD.gYear),
                        line,
                        f"“{founded.group(0)}”",
                    )
                if _GENERAL_INTEREST.search(sentence):
                    out.add(
                        actor,
                        AG.generalInterest,
                        _typed("true", XSD.boolean),
                        line,
                        "“d'intérêt général”",
                    )
                incubated = _INCUBATED.search(sentence)
                if incubated:
                    for rec in self.recognise(incubated.group("name")):
                        org = self.organisation(out, rec, line, "incubator")
                        if org is not None:
                            out.add(
                                actor, AG.incubatedBy, _iri(org), line, f"“{incubated.group(0)}”"
                            )
                general = _GENERAL_PARTNERS.search(sentence)
                if general:
                    listing = general.group("list") or general.group("list2")
                    self._partners(out, actor, listing, line, "general-partner", AG.partnerOf)
                dispositif = _DISPOSITIF.search(sentence)
                if dispositif:
                    self._dispositif(out, dispositif.group("name"), sentence, p.bold, line)

    def _dispositif(
        self, out: Extraction, name: str, sentence: str, bold: Iterable[str], line: int
    ) -> None:
        match = self.projects.match(name)
        slug = _slug(name)
        if match is None and slug is None:
            out.notes.append((line, f"“dispositif {name}” has no letters to name it by; skipped"))
            return
        iri = match.entry.iri if match else str(PROJECT_ID[slug or ""])
        why = f"“dispositif {name}”"
        out.add(iri, RDF.type, _iri(AG.Programme), line, why)
        pref = match.entry.pref if match else name
        out.add(iri, SKOS.prefLabel, _fr(pref or name), line, why)
        if pref and name.casefold() != pref.casefold():
            out.add(iri, SKOS.altLabel, _fr(name), line, why + " (name as written)")
        out.add(iri, AG.leader, _iri(out.actor), line, why + " run by the actor")
        out.add(iri, PROV.wasDerivedFrom, _iri(out.source), line, why)
        for phrase in bold:
            if f"**{phrase}**" in sentence or phrase in sentence:
                for concept in self.vocab.methods.find(phrase):
                    out.add(iri, AG.method, _iri(concept), line, f"bold “{phrase}”")
        self._immersion(out, iri, sentence, line)
        settings = _SETTINGS.search(sentence)
        if settings:
            for piece in _SPLIT_AND.split(settings.group("list")):
                for setting in piece.split(","):
                    text = re.sub(
                        r"^(?:un|une|des|le|la|les)\s+", "", setting.strip(), flags=re.IGNORECASE
                    )
                    if text:
                        out.add(iri, AG.immersionSetting, _fr(text), line, f"setting “{text}”")

    def _resources(self, out: Extraction) -> None:
        used: set[str] = set()
        for r in out.sheet.resources:
            slug = _slug(r.bare_title)
            if slug is None:
                out.notes.append((r.line, f"resource title “{r.title}” has no letters; skipped"))
                continue
            base, n = slug, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            if slug != base:
                out.notes.append(
                    (r.line, f"resource title repeated on the sheet; IRI suffixed -{n - 1}")
                )
            used.add(slug)
            iri, line, why = str(RESOURCE_ID[slug]), r.line, f"resource {r.position}"
            out.add(iri, RDF.type, _iri(AG.Resource), line, why)
            out.add(iri, DCTERMS.title, _fr(r.title), line, why)
            out.add(
                iri,
                AG.titleTruncated,
                _typed("true" if r.truncated else "false", XSD.boolean),
                line,
                why,
            )
            out.add(iri, AG.listPosition, _typed(str(r.position), XSD.integer), line, why)
            for concept in self.vocab.resource_kinds.find(r.bare_title, truncated=r.truncated):
                out.add(iri, AG.resourceKind, _iri(concept), line, "kind word in the title")
            for concept in self.vocab.themes.find(r.bare_title, truncated=r.truncated):
                out.add(iri, AG.theme, _iri(concept), line, "theme word in the title")
            out.add(
                iri, AG.relatedActor, _iri(out.actor), line, why + " listed on the actor's sheet"
            )
            out.add(iri, PROV.wasDerivedFrom, _iri(out.source), line, why)


__all__ = ["INGEST_ACTIVITY", "Extraction", "Extractor", "Fact", "Unmatched"]
