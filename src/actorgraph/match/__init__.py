"""The name matcher: names normalised (:mod:`.names`: accents, case, articles,
the forms of French public bodies' names and the kind each implies) and an
index of them that finds scored candidates for a written name (:mod:`.index`).

>>> index = NameIndex()
>>> index.add("https://example.org/gironde", "Département de la Gironde", "departement")
>>> [(c.id, c.how, c.score) for c in index.candidates("le Gironde")]
[('https://example.org/gironde', 'form', 0.85)]
"""

from .index import WAYS, Candidate, NameIndex
from .names import (
    COMMUNE,
    DEPARTEMENT,
    EPCI,
    FORMS,
    KIND_OF_CLASS,
    KINDS,
    REGION,
    Form,
    Parsed,
    body_kind,
    normalise,
    parse,
    strip_form,
    words,
)

__all__ = [
    "COMMUNE",
    "DEPARTEMENT",
    "EPCI",
    "FORMS",
    "KINDS",
    "KIND_OF_CLASS",
    "REGION",
    "WAYS",
    "Candidate",
    "Form",
    "NameIndex",
    "Parsed",
    "body_kind",
    "normalise",
    "parse",
    "strip_form",
    "words",
]
