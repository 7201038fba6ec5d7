"""Slugs and instance IRIs: the same input always gives the same IRI.

>>> slugify("La 27e Région")
'la-27e-region'
>>> slugify("Métropole Européenne de Lille")
'metropole-europeenne-de-lille'
>>> slugify("Aventures participatives : des élu·es...")
'aventures-participatives-des-elu-es'
>>> instance_iri("organisation", "La 27e Région")
'https://w3id.org/actorgraph/id/organisation/la-27e-region'
"""

from __future__ import annotations

import re
import unicodedata

from .namespaces import KINDS

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
#: What a slug looks like: words of [a-z0-9] joined by ``-``, or ``--`` between
#: two slugs (a partnership is ``owner--partner``); as in the
#: ``instance-iri-violation`` query.
SLUG = re.compile(r"^[a-z0-9]+(?:--?[a-z0-9]+)*$")
# Letters that NFKD does not decompose into ASCII.
_SPECIAL = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O"}
)


def fold(text: str) -> str:
    """Lowercase ASCII with accents removed (for matching and slugs).

    >>> fold("Œuvre Élue")
    'oeuvre elue'
    """
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def slugify(text: str) -> str:
    """Lowercase ASCII, accents folded, words joined by ``-``."""
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    if not slug:
        raise ValueError(f"no slug can be made from {text!r}")
    return slug


def instance_iri(kind: str, name_or_slug: str) -> str:
    """The IRI of an instance of ``kind`` (organisation, project, …)."""
    try:
        namespace = KINDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown instance kind {kind!r}; expected one of {', '.join(KINDS)}"
        ) from None
    return str(namespace[slugify(name_or_slug)])
