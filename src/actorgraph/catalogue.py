"""The question catalogue: ``queries/<name>.rq`` files and their header comments.

A query file opens with ``#+ key: value`` comment lines (grlc's convention):

    #+ summary: Partners of an organisation, with the projects they share
    #+ summary_fr: Partenaires d'une organisation et projets partagés
    #+ params: ?org (organisation: IRI, CURIE or slug; e.g. la-27e-region)

>>> q = Query.from_text("demo", "#+ summary: Count things\\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> q.summary
'Count things'
>>> q.role
'report'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LoadError, QueryError

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
