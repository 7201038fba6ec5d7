"""Reading RDF files: formats by file name, checked bytes, syntax errors
with their file and line.

>>> rdf_format("gazetteer.nt.gz").name
'N-Triples'
>>> rdf_format("x.csv")
Traceback (most recent call last):
actorgraph.errors.LoadError: x.csv: unknown RDF format 'csv'; expected one of jsonld, nq, nt, owl, rdf, trig, ttl, turtle, xml
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from ..errors import LoadError

#: File extension → pyoxigraph format.
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format of a file name (``x.ttl``, ``x.nt.gz``) or format name (``ttl``)."""
    text = str(name_or_path).lower().removesuffix(".gz")
    key = text.rsplit(".", 1)[-1]
    try:
        return FORMATS[key]
    except KeyError:
        raise LoadError(
            f"unknown RDF format {key!r}; expected one of {', '.join(sorted(FORMATS))}",
            file=str(name_or_path) if "." in text else None,
        ) from None


def read_source(path: Path) -> bytes:
    """The bytes of a source file, checked: present, not empty, UTF-8."""
    return checked(path, read_raw(path))


def read_raw(path: Path) -> bytes:
    """The bytes of a file as they are on disk (what the store's manifest hashes)."""
    if not path.exists():
        raise LoadError("file not found", file=path)
    if not path.is_file():
        raise LoadError("not a file", file=path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read: {exc}", file=path) from None


def checked(path: Path, raw: bytes) -> bytes:
    """``raw`` decompressed (``.gz``) and checked: not empty, UTF-8."""
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise LoadError(f"cannot read: {exc}", file=path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as some editors write: not part of the text
    if not raw.strip():
        raise LoadError("file is empty", file=path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=path,
            line=line,
        ) from None
    return raw


def syntax_error(exc: SyntaxError, file: str | Path | None) -> LoadError:
    """A pyoxigraph syntax error as a :class:`LoadError` with file and line."""
    message = exc.msg or str(exc)
    # pyoxigraph says "Parser error between line L column C and …: message".
    if message.startswith("Parser error") and ": " in message:
        message = message.split(": ", 1)[1]
    hint = None
    if "absolute IRI" in message or "base IRI" in message:
        hint = (
            "write every IRI in full (or with a declared prefix): a relative IRI would be "
            "resolved against the file's place on this machine, and the same data would "
            "give other IRIs elsewhere"
        )
    return LoadError(
        f"syntax error: {message}", file=file, line=exc.lineno, column=exc.offset, hint=hint
    )
