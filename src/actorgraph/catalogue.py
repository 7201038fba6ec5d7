"""The question catalogue: ``queries/<name>.rq`` files and their header comments.

A query file opens with ``#+ key: value`` comment lines (grlc's convention):

    #+ summary: Partners of an organisation, with the projects they share
    #+ summary_fr: Partenaires d'une organisation et projets partagés
    #+ params: ?org (organisation: IRI, CURIE or slug; e.g. la-27e-region)

Each parameter is written ``?name (TYPE[, default VALUE][: description][; e.g. EXAMPLE])``;
several may share a line or take one ``#+ params:`` line each. ``TYPE`` is an
instance kind (``organisation``, ``project``, ``partnership``, ``resource``,
``concept``, ``source``: a full IRI, a CURIE or a slug of that kind), ``iri``
(a full IRI or a CURIE), or a literal type (``string``, ``integer``,
``decimal``, ``boolean``, ``date``, ``year``). A parameter with a default may
be left out.

>>> q = Query.from_text("demo", "#+ summary: Count things\\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> q.summary
'Count things'
>>> q.role
'report'
>>> p, = parse_params("?min (integer, default 2: shared partners; e.g. 3)")
>>> (p.name, p.type, p.default, p.description, p.example)
('min', 'integer', '2', 'shared partners', '3')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import LoadError, QueryError
from .namespaces import KINDS

#: Parameter types that take a literal value, and the XSD datatype they bind to.
LITERAL_TYPES: dict[str, str] = {
    "string": "string",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "date": "date",
    "year": "gYear",
}
#: Every parameter type a ``#+ params:`` header may name.
PARAM_TYPES: tuple[str, ...] = (*KINDS, "iri", *LITERAL_TYPES)

_PARAM = re.compile(r"\?([A-Za-z_]\w*)\s*\(([^()]*)\)")
_PARAM_HEAD = re.compile(r"^\s*([A-Za-z]+)\s*(?:,\s*default\s+([^:;]*?))?\s*(?::\s*(.*))?$")
_EXAMPLE = re.compile(r"^\s*e\.g\.\s*(.*?)\s*$")


@dataclass(frozen=True)
class Param:
    """One parameter of a query, as its header declares it."""

    name: str
    type: str
    description: str = ""
    example: str | None = None
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def describe(self) -> str:
        """``?org (organisation; e.g. la-27e-region)`` as shown in listings."""
        extra = [self.type]
        if self.default is not None:
            extra[0] += f", default {self.default}"
        if self.example is not None:
            extra.append(f"e.g. {self.example}")
        return f"?{self.name} ({'; '.join(extra)})"


def parse_params(text: str, file: Path | str | None = None) -> list[Param]:
    """The parameters declared by a ``#+ params:`` value (see the module docstring)."""
    params: list[Param] = []
    rest = _PARAM.sub("", text).strip(" ,;")
    if rest:
        raise QueryError(
            f"cannot read the parameter declaration {rest!r}; expected ?name (type; e.g. example)",
            file=file,
            field="#+ params",
        )
    for match in _PARAM.finditer(text):
        name, body = match.group(1), match.group(2)
        head, *tail = body.split(";")
        head_match = _PARAM_HEAD.match(head)
        if not head_match or head_match.group(1) not in PARAM_TYPES:
            raise QueryError(
                f"parameter ?{name}: unknown type in {head.strip()!r}; "
                f"expected one of {', '.join(PARAM_TYPES)}",
                file=file,
                field="#+ params",
            )
        example = None
        for part in tail:
            ex = _EXAMPLE.match(part)
            if ex:
                example = ex.group(1)
        kind, default, description = head_match.groups()
        if any(p.name == name for p in params):
            raise QueryError(f"parameter ?{name} declared twice", file=file, field="#+ params")
        params.append(Param(name, kind, (description or "").strip(), example, default))
    return params


_HEADER = re.compile(r"^#\+\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def parse_header(text: str) -> dict[str, str]:
    """The ``#+ key: value`` lines at the top of a query (until the first other line)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        match = _HEADER.match(stripped)
        if match:
            key, value = match.group(1).lower(), match.group(2)
            header[key] = f"{header[key]} {value}" if key in header else value
        elif stripped.startswith("#"):
            continue
        else:
            break
    return header


@dataclass(frozen=True)
class Query:
    """One query of the catalogue."""

    name: str
    text: str
    path: Path | None = None
    header: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(cls, name: str, text: str, path: Path | None = None) -> Query:
        return cls(name, text, path, parse_header(text))

    @classmethod
    def from_file(cls, path: Path) -> Query:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise QueryError("query file not found", file=path) from None
        except UnicodeDecodeError:
            raise LoadError("query file is not UTF-8 text", file=path) from None
        return cls.from_text(path.stem, text, path)

    @property
    def summary(self) -> str:
        return self.header.get("summary", "")

    @cached_property
    def params(self) -> list[Param]:
        """The declared parameters, in header order (the header is read once)."""
        return parse_params(self.header.get("params", ""), self.path)

    def header_text(self) -> str:
        """The ``#+`` header lines, as shown when a parameter is wrong."""
        lines = []
        for line in self.text.splitlines():
            stripped = line.strip()
            if stripped.startswith("#+"):
                lines.append(stripped)
            elif stripped and not stripped.startswith("#"):
                break
        return "\n".join(lines)

    def summary_in(self, lang: str) -> str:
        return self.header.get(f"summary_{lang}") or self.summary

    @property
    def role(self) -> str:
        """``violation`` (a check that must return nothing), ``construct`` or ``report``."""
        if self.name.endswith("-violation"):
            return "violation"
        if self.name.startswith("construct-"):
            return "construct"
        return "report"


def catalogue(queries_dir: Path) -> list[Query]:
    """Every query of the catalogue, sorted by name."""
    if not queries_dir.is_dir():
        return []
    return [Query.from_file(p) for p in sorted(queries_dir.glob("*.rq"))]
