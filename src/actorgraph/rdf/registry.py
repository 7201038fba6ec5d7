"""The writer registry: format name → media types → file extensions → writer.

As with rdflib's plugins, a format is registered with the dotted path of its
writer (``"package.module:attribute"``), which is imported the first time the
format is written, so looking formats up costs no import of what writes them
(pyld, for JSON-LD). Formats are kept in the order they were registered: the
order of ``--format`` choices and the server's preference when a client
accepts several formats equally.

>>> get("ttl").media_type, by_media_type("application/x-turtle").name
('text/turtle', 'ttl')
>>> by_extension(".jsonld").name, by_extension("xml") is None
('jsonld', True)
>>> negotiate("application/n-triples;q=0.5, text/turtle;q=0.9").name
'ttl'
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from ..errors import ActorGraphError
from ..store import EmbeddedStore


class Writer(Protocol):
    """What a registered writer does; the same statements always give the same bytes."""

    def write_graphs(
        self,
        store: EmbeddedStore,
        graphs: list[str],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> bytes:
        """The named ``graphs`` of ``store``."""
        ...

    def write_statements(
        self,
        statements: Sequence[ox.Quad],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> bytes:
        """A collection of statements (quads; those of the default graph stand for triples)."""
        ...


@dataclass(frozen=True)
class Format:
    """One registered format.

    ``writer`` is ``"package.module:attribute"``, an object implementing
    :class:`Writer`; ``aliases`` are further media types that name the format
    (never written in answers, only understood); ``datasets`` says whether the
    syntax keeps named graphs apart (the others write the union of the graphs).
    """

    name: str
    media_type: str
    extensions: tuple[str, ...]
    writer: str
    aliases: tuple[str, ...] = ()
    datasets: bool = False

    @property
    def extension(self) -> str:
        """The file extension written (the first one), without its dot."""
        return self.extensions[0]

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media type, then its aliases."""
        return (self.media_type, *self.aliases)

    def load(self) -> Writer:
        """The writer, imported on first use."""
        return _import(self.writer)


@functools.cache
def _import(path: str) -> Writer:
    module, _, attribute = path.partition(":")
    found: Writer = getattr(importlib.import_module(module), attribute)
    return found


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add ``fmt``, or replace the format of the same name.

    A media type or an extension names one format only: claiming one that
    another format holds raises :class:`~actorgraph.errors.ActorGraphError`.
    """
    for other in _REGISTRY.values():
        if other.name == fmt.name:
            continue
        taken = {m.lower() for m in other.media_types} & {m.lower() for m in fmt.media_types}
        taken |= {e.lower() for e in other.extensions} & {e.lower() for e in fmt.extensions}
        if taken:
            raise ActorGraphError(
                f"cannot register format {fmt.name}: {', '.join(sorted(taken))} "
                f"already names format {other.name}"
            )
    _REGISTRY[fmt.name] = fmt


def formats() -> tuple[Format, ...]:
    """Every registered format, in the order of registration."""
    return tuple(_REGISTRY.values())


def names() -> tuple[str, ...]:
    """The names of the registered formats, in the order of registration."""
    return tuple(_REGISTRY)


def get(name: str) -> Format:
    """The format called ``name``; an unknown name is a usage error on ``--format``.

    >>> get("rdfxml")
    Traceback (most recent call last):
    actorgraph.errors.ActorGraphError: --format: unknown export format 'rdfxml'; expected one of ttl, nt, nq, trig, jsonld
    """
    found = _REGISTRY.get(name)
    if found is None:
        raise ActorGraphError(
            f"unknown export format {name!r}; expected one of {', '.join(_REGISTRY)}",
            field="--format",
        )
    return found


def by_media_type(media_type: str) -> Format | None:
    """The format a media type (or an alias) names, parameters and case ignored.

    >>> by_media_type("Application/LD+JSON; profile=http://www.w3.org/ns/json-ld#compacted").name
    'jsonld'
    """
    wanted = media_type.split(";", 1)[0].strip().lower()
    for fmt in _REGISTRY.values():
        if wanted in (m.lower() for m in fmt.media_types):
            return fmt
    return None


def by_extension(extension: str) -> Format | None:
    """The format of a file extension (``ttl`` or ``.ttl``, any case), or None."""
    wanted = extension.lower().removeprefix(".")
    for fmt in _REGISTRY.values():
        if wanted in (e.lower() for e in fmt.extensions):
            return fmt
    return None


# ---- content negotiation ------------------------------------------------------

# RFC 9110: a media range is type/subtype, then parameters (; name=value, the
# value a token or a quoted string); ``q`` is the weight, 0 to 1, three decimals.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"[ \t]*({_TOKEN})/({_TOKEN})[ \t]*")
_PARAMETER = re.compile(rf'[ \t]*;[ \t]*({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|"(?:[^"\\]|\\.)*")[ \t]*')
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
# The rest of a malformed element, up to the next comma outside a quoted string.
_REST = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*"?)*')


def media_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header, lowercased, with their weights, in
    header order. Parameters other than ``q`` are ignored; a malformed element
    (or weight) is left out, the others still count.

    >>> media_ranges('text/turtle, application/ld+json;profile="a,b";q=0.5, nonsense, */*;q=0')
    [('text/turtle', 1.0), ('application/ld+json', 0.5), ('*/*', 0.0)]
    """
    out: list[tuple[str, float]] = []
    pos = 0
    while pos <= len(accept):
        element = _RANGE.match(accept, pos)
        ok = element is not None and (element[1] != "*" or element[2] == "*")
        weight = 1.0
        if element is not None:
            pos = element.end()
            weighted = False
            while (parameter := _PARAMETER.match(accept, pos)) is not None:
                pos = parameter.end()
                if parameter[1].lower() == "q" and not weighted:
                    weighted = True
                    if _QVALUE.fullmatch(parameter[2]):
                        weight = float(parameter[2])
                    else:
                        ok = False
        if pos < len(accept) and accept[pos] != ",":
            ok = False
        rest = _REST.match(accept, pos)
        pos = (rest.end() if rest else pos) + 1  # past the comma
        if ok and element is not None:
            out.append((f"{element[1]}/{element[2]}".lower(), weight))
    return out


def best_range(
    media_types: Iterable[str], media_type: str, ranges: list[tuple[str, float]]
) -> tuple[int, float, int]:
    """(specificity, weight, position) of the most specific of ``ranges``
    that matches a document offered as ``media_types`` (``media_type`` being
    the one written): one of them named exactly (2), ``type/*`` of the written
    one (1), ``*/*`` (0); between ranges as specific, the higher weight.
    ``(-1, 0.0, len(ranges))`` when none matches.

    >>> best_range(["text/turtle"], "text/turtle", [("*/*", 0.5), ("text/*", 0.8)])
    (1, 0.8, 1)
    """
    exact = {m.lower() for m in media_types}
    kind = media_type.split("/", 1)[0].lower() + "/*"
    best = (-1, 0.0, len(ranges))
    for position, (media_range, weight) in enumerate(ranges):
        if media_range in exact:
            specificity = 2
        elif media_range == kind:
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0] or (specificity == best[0] and weight > best[1]):
            best = (specificity, weight, position)
    return best


def _weight(fmt: Format, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The weight the most specific range matching ``fmt`` gives it, and the
    position of that range (``len(ranges)`` when none matches). An alias counts
    when named exactly; ``type/*`` is matched against the media type written."""
    _, weight, position = best_range(fmt.media_types, fmt.media_type, ranges)
    return weight, position


def negotiate(accept: str | None, offered: Iterable[str] | None = None) -> Format | None:
    """The registered format an ``Accept`` header prefers, or None when it accepts
    none of them (HTTP 406).

    Each format is weighed by the most specific range that matches it (its
    media type or an alias named exactly, over ``type/*``, over ``*/*``); a
    weight of 0 refuses. Between equal
    weights, the range written first in the header wins, then the order of
    registration. No header, or an empty one, accepts anything. ``offered``
    limits the choice to those format names.

    >>> negotiate("application/json").name, negotiate("text/*").name, negotiate(None).name
    ('jsonld', 'ttl', 'ttl')
    >>> negotiate("application/ld+json, text/turtle").name
    'jsonld'
    >>> negotiate("*/*;q=0.1, application/n-quads;q=0").name
    'ttl'
    >>> negotiate("text/html") is None, negotiate("*/*", offered=["nq"]).name
    (True, 'nq')
    """
    ranges = media_ranges(accept) if accept and accept.strip() else [("*/*", 1.0)]
    wanted = None if offered is None else set(offered)
    best: tuple[float, int, int] | None = None  # (weight, -position, -rank)
    chosen: Format | None = None
    for rank, fmt in enumerate(_REGISTRY.values()):
        if wanted is not None and fmt.name not in wanted:
            continue
        weight, position = _weight(fmt, ranges)
        if weight <= 0:
            continue
        key = (weight, -position, -rank)
        if best is None or key > best:
            best, chosen = key, fmt
    return chosen


__all__ = [
    "Format",
    "Writer",
    "by_extension",
    "by_media_type",
    "formats",
    "get",
    "media_ranges",
    "names",
    "negotiate",
    "register",
]
