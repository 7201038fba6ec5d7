"""Names as the matcher compares them, and the forms of French public bodies' names.

A name is folded to its *words*: lowercase ASCII, accents removed, apostrophes,
hyphens and punctuation as spaces, "St"/"Ste" as "Saint"/"Sainte". Without a
leading article ("la", "le", "les", "l'") it is the name's *bare* form. When it
opens (or, for some EPCI, ends) with the form of a public body ("Ville de",
"Région", "CA", "… Métropole"), the rest of it is a *core*, and the form gives
the kind of body: ``commune``, ``departement``, ``region`` or ``epci``.

>>> normalise("L’Île-Saint\u2011Denis"), normalise("St-Étienne"), normalise("Søren")
('ile saint denis', 'saint etienne', 'soren')
>>> [(c.article, c.rest, c.kind) for c in parse("Département de la Gironde").cores]
[('', 'departement de la gironde', None), ('la', 'gironde', 'departement')]
>>> [(c.rest, c.kind) for c in parse("CA Mulhouse Alsace Agglomération").cores]  # doctest: +NORMALIZE_WHITESPACE
[('ca mulhouse alsace agglomeration', None), ('mulhouse alsace agglomeration', 'epci'),
 ('mulhouse alsace', 'epci')]
>>> parse("Projet Tramway 120").marks, parse("Université Paris VIII").marks
(('120',), ('viii',))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from ..slug import fold

COMMUNE, DEPARTEMENT, REGION, EPCI = "commune", "departement", "region", "epci"
#: The kinds of public body the forms of names tell apart.
KINDS = (COMMUNE, DEPARTEMENT, REGION, EPCI)

#: The kind of an ontology class (local name), as far as names are concerned.
KIND_OF_CLASS = {
    "Commune": COMMUNE,
    "Departement": DEPARTEMENT,
    "Region": REGION,
    "EPCI": EPCI,
    "Metropole": EPCI,
    "CommunauteUrbaine": EPCI,
    "CommunauteAgglomeration": EPCI,
    "CommunauteCommunes": EPCI,
}

_TOKEN = re.compile(r"[a-z0-9]+")
_ARTICLES = frozenset({"la", "le", "les", "l", "the"})
_ABBREVIATED = {"st": "saint", "ste": "sainte"}
#: What may join a form to the rest of the name, longest first, with the
#: article it holds ("Ville du Havre" is Le Havre's town).
_CONNECTORS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("de", "la"), "la"),
    (("de", "l"), "l"),
    (("du",), "le"),
    (("des",), "les"),
    (("de",), ""),
    (("d",), ""),
)
#: Marks (see :func:`marks`), as whole words: a word with a digit; a roman
#: numeral up to 39 (I, IV, XII…; L, C, D and M are also elided words and
#: articles, so left out); one letter, but not an elision (l', d', j'…).
_MARK = re.compile(
    r"(?<![a-z0-9])"
    r"(?:[a-z]*[0-9][a-z0-9]*|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})|[abefghikopqruvwxyz])"
    r"(?![a-z0-9])"
)


@dataclass(frozen=True)
class Form:
    """How the name of a kind of public body opens: "Ville de", "Région", "CA"…"""

    written: str
    kind: str
    #: The form is always followed by "de", "du", "des"… ("Ville de Paris", never
    #: "Ville Paris"; "Ville nouvelle" is not a town).
    connector: bool = False
    #: The form may also close the name ("Metz Métropole").
    suffix: bool = False
    words: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(_TOKEN.findall(fold(self.written))))


#: The one list of the forms of French public bodies' names, and the kind each implies.
FORMS: tuple[Form, ...] = (
    Form("Ville de", COMMUNE, connector=True),
    Form("Mairie de", COMMUNE, connector=True),
    Form("Commune de", COMMUNE, connector=True),
    Form("Département de", DEPARTEMENT, connector=True),
    Form("Conseil départemental de", DEPARTEMENT),
    Form("Conseil général de", DEPARTEMENT),
    Form("CD", DEPARTEMENT),
    Form("Région", REGION),
    Form("Conseil régional de", REGION),
    Form("Communauté d'agglomération", EPCI),
    Form("CA", EPCI),
    Form("Agglomération", EPCI, suffix=True),
    Form("Agglo", EPCI, suffix=True),
    Form("Communauté de communes", EPCI),
    Form("CC", EPCI),
    Form("Communauté urbaine", EPCI),
    Form("CU", EPCI),
    Form("Métropole", EPCI, suffix=True),
    Form("Eurométropole", EPCI),
)


def _forms_by_first_word() -> dict[str, list[tuple[tuple[str, ...], Form]]]:
    """The forms by their first word, longest first; the connector ("de") is
    written in :data:`FORMS` for the reader but matched apart."""
    out: dict[str, list[tuple[tuple[str, ...], Form]]] = {}
    for form in FORMS:
        form_words = form.words[:-1] if form.words[-1] in ("de", "d") else form.words
        out.setdefault(form_words[0], []).append((form_words, form))
    for options in out.values():
        options.sort(key=lambda o: -len(o[0]))
    return out


_PREFIXES = _forms_by_first_word()
_SUFFIXES = [(f.words, f) for f in FORMS if f.suffix]


class Core(NamedTuple):
    """One reading of a name: its ``rest`` once the form of a body is set aside,
    the ``article`` that went with it, and the ``kind`` the form implies (None
    for the reading of the whole name, which has no form)."""

    rest: str
    article: str
    kind: str | None


class Parsed(NamedTuple):
    """A name read for matching (see the module's doc)."""

    words: str
    bare: str
    #: The whole name (kind None) first, then one reading per form found.
    cores: tuple[Core, ...]
    #: Numbers, roman numerals and one-letter codes: names that differ in one are
    #: different names, however close they are otherwise.
    marks: tuple[str, ...]


def words(text: str) -> str:
    """Folded words of ``text``, single-spaced.

    >>> words("L'Abergement-Clémenciat"), words("Œuvre — St Jean")
    ('l abergement clemenciat', 'oeuvre saint jean')
    """
    return " ".join(_tokens(text))


def _tokens(text: str) -> list[str]:
    # ASCII needs no folding but to lowercase (most names of the gazetteer).
    tokens: list[str] = _TOKEN.findall(text.lower() if text.isascii() else fold(text))
    if "st" in tokens or "ste" in tokens:
        tokens = [_ABBREVIATED.get(t, t) for t in tokens]
    return tokens


def _without_article(tokens: list[str]) -> tuple[str, list[str]]:
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        return tokens[0], tokens[1:]
    return "", tokens


def normalise(text: str) -> str:
    """The bare form of a name: its words without a leading article.

    >>> normalise("La Caisse des Dépôts"), normalise("La")
    ('caisse des depots', 'la')
    """
    return " ".join(_without_article(_tokens(text))[1])


def _prefix(tokens: list[str]) -> tuple[Form, int, str] | None:
    """The form opening ``tokens``, how many tokens it takes (connector
    included), and the article the connector holds."""
    for form_words, form in _PREFIXES.get(tokens[0], ()) if tokens else ():
        n = len(form_words)
        if tuple(tokens[:n]) != form_words:
            continue
        for connector, article in _CONNECTORS:
            if tuple(tokens[n : n + len(connector)]) == connector and len(tokens) > n + len(
                connector
            ):
                return form, n + len(connector), article
        if not form.connector and len(tokens) > n:
            return form, n, ""
    return None


def _suffix(tokens: list[str]) -> tuple[Form, int] | None:
    for form_words, form in _SUFFIXES:
        n = len(form_words)
        if len(tokens) > n and tuple(tokens[-n:]) == form_words:
            return form, n
    return None


def parse(text: str) -> Parsed:
    """``text`` read for matching: words, bare form, cores and marks.

    >>> [(c.article, c.rest, c.kind) for c in parse("Ville du Vernet").cores]
    [('', 'ville du vernet', None), ('le', 'vernet', 'commune')]
    >>> [(c.article, c.rest) for c in parse("La Rochelle").cores]
    [('la', 'rochelle')]
    >>> len(parse("Ville nouvelle").cores)  # "Ville" opens a town's name only with "de"
    1
    """
    tokens = _tokens(text)
    article, bare = _without_article(tokens)
    cores = [Core(" ".join(bare), article, None)]
    rest = bare
    prefix = _prefix(bare)
    if prefix is not None:
        form, taken, held = prefix
        rest = bare[taken:]
        if not held:  # "Commune de Les Abymes": the article is the rest's own
            held, rest = _without_article(rest)
        cores.append(Core(" ".join(rest), held, form.kind))
    suffix = _suffix(rest)
    if suffix is not None and (prefix is None or prefix[0].kind == suffix[0].kind):
        kept = rest[: -suffix[1]]
        cores.append(Core(" ".join(kept), cores[-1].article, suffix[0].kind))
    return Parsed(" ".join(tokens), cores[0].rest, tuple(cores), marks(cores[0].rest))


def marks(words: str) -> tuple[str, ...]:
    """The words that set a name apart from its near neighbours: numbers and
    years, roman numerals, one-letter codes.

    >>> marks("lot b tranche 2 paris xii l ile vie 27eme")
    ('b', '2', 'xii', '27eme')
    """
    return tuple(_MARK.findall(words))


def body_kind(kind: str | None) -> str | None:
    """The kind of public body ``kind`` is: one of :data:`KINDS` itself, or an
    ontology class (IRI or local name) of one; None for any other kind.

    >>> body_kind("https://w3id.org/actorgraph/ontology#Metropole"), body_kind("Association")
    ('epci', None)
    """
    if kind is None or kind in KINDS:
        return kind
    return KIND_OF_CLASS.get(re.split(r"[#/]", kind)[-1])


_WORD = re.compile(r"[^\W_]+")


def strip_form(name: str, kind: str) -> str | None:
    """``name`` as written (accents and case kept) after the form that opens it,
    when that form is of ``kind``; None otherwise.

    >>> strip_form("Département de l’Ain", "departement"), strip_form("Région Bretagne", "region")
    ('Ain', 'Bretagne')
    >>> strip_form("Région Bretagne", "commune") is None
    True
    """
    text = unicodedata.normalize("NFC", name)
    tokens = _tokens(text)
    article, bare = _without_article(tokens)
    prefix = _prefix(bare)
    if prefix is None or prefix[0].kind != kind:
        return None
    skip = prefix[1] + (1 if article else 0)
    spans = list(_WORD.finditer(text))
    # Folding may split a written word in two (rare); then the words cannot be
    # counted back onto the text.
    if len(spans) != len(tokens) or skip >= len(spans):
        return None
    return text[spans[skip].start() :].strip() or None
