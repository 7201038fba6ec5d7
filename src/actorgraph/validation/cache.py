"""The validation results of a project store's generation, kept on disk.

A generation of the project store (``.actorgraph/store/g-…``) never changes
once published, so the results of validating it stay right for as long as the
shapes, the ``*-violation.rq`` checks and the validation code stay the same:
the key of a kept report is the generation's name, the bytes of those files
and the language of the labels. ``build`` keeps the report it has just made
for the generation it publishes; ``serve`` reads it instead of validating a
million triples again at its first organisation page, and keeps what it had
to compute. Anything unreadable is computed again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from ..fsutil import keep_only
from ..project import Project
from .report import Result

#: Where kept reports live, under the project's root.
CACHE_DIR = Path(".actorgraph") / "validation"
#: Bumped when the kept form changes.
FORMAT = "1"


def _key(project: Project, generation: str, lang: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{generation}\0{lang}".encode())
    inputs = [*project.shapes_files]
    if project.queries_dir.is_dir():
        inputs += sorted(project.queries_dir.glob("*-violation.rq"))
    here = Path(__file__).parent
    inputs += sorted(here.glob("*.py"))
    for path in inputs:
        digest.update(str(path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:24]


def _path(project: Project, generation: str, lang: str) -> Path:
    return project.root / CACHE_DIR / f"report-{_key(project, generation, lang)}.json"


def load(project: Project, generation: str, lang: str = "en") -> list[Result] | None:
    """The results kept for ``generation``, or None."""
    try:
        doc = json.loads(_path(project, generation, lang).read_text(encoding="utf-8"))
        return [Result(**item) for item in doc["results"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep(project: Project, generation: str, results: list[Result], lang: str = "en") -> None:
    """Keep ``results`` for ``generation``; reports of other generations are
    removed. Failing to write only costs the next reader a validation."""
    path = _path(project, generation, lang)
    try:
        doc = {"generation": generation, "results": [asdict(r) for r in results]}
        keep_only(path, json.dumps(doc, ensure_ascii=False), "report-*.json")
    except OSError:
        pass


__all__ = ["CACHE_DIR", "keep", "load"]
