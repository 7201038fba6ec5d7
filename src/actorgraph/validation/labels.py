"""The names of the focus nodes, shown beside them in a report."""

from __future__ import annotations

import re

from ..store import EmbeddedStore
from .report import Result

_LABELS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s skos:prefLabel ?label } UNION { ?s dcterms:title ?label } UNION { ?s rdfs:label ?label }
  FILTER (lang(?label) IN ("%s", "", "fr"))
}
"""


def add_labels(store: EmbeddedStore, results: list[Result], lang: str) -> None:
    """Fill each result's ``label`` with its focus node's name, in ``lang`` when there is one."""
    if not re.fullmatch(r"[a-z]{2,3}", lang):
        raise ValueError(f"not a language code: {lang!r}")
    iris = sorted({r.focus for r in results if r.focus.startswith(("http://", "https://"))})
    if not iris:
        return
    best: dict[str, tuple[int, str]] = {}
    for i in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[i : i + 500])
        for row in store.select(_LABELS % (values, lang)):
            label = row["label"]
            rank = 0 if label.language == lang else 1 if label.language == "fr" else 2
            current = best.get(row["s"].value)
            if current is None or (rank, label.value) < current:
                best[row["s"].value] = (rank, label.value)
    for r in results:
        if r.focus in best:
            r.label = best[r.focus][1]


__all__ = ["add_labels"]
