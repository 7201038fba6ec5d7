"""The pySHACL engine: the reference implementation, and the fast engine's fallback."""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Literal

from ..namespaces import SH
from .report import Result, node_str
from .shapes import messages, path_str


def results_from_graph(results: Graph, shapes: Graph | None = None) -> list[Result]:
    """Results of a SHACL validation report graph.

    With the ``shapes`` graph at hand, a result of a SPARQL constraint that has
    messages of its own carries those, in their languages, as the fast engine
    gives them: pySHACL gives the shape's messages (with their language tags)
    and adds the constraint's, filled in and stripped of theirs.
    """
    out = []
    # Only the report's own results: those under sh:detail explain a result, they are not results.
    for node in results.objects(None, SH.result):
        severity = str(results.value(node, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        value = results.value(node, SH.value)
        out.append(
            Result(
                severity=severity,
                focus=node_str(results.value(node, SH.focusNode)),
                component=str(results.value(node, SH.sourceConstraintComponent)),
                source=node_str(results.value(node, SH.sourceShape)),
                path=path_str(results, results.value(node, SH.resultPath)),
                value=None if value is None else node_str(value),
                messages=_messages(results, node, shapes),
            )
        )
    return out


def _messages(results: Graph, node: Any, shapes: Graph | None) -> dict[str, str]:
    found = messages(results, node, SH.resultMessage)
    constraint = results.value(node, SH.sourceConstraint)
    templates = messages(shapes, constraint) if shapes is not None and constraint else {}
    if not templates:
        return found
    texts = [
        m
        for m in results.objects(node, SH.resultMessage)
        if isinstance(m, Literal) and not m.language
    ]
    own = {}
    for lang, template in templates.items():
        pattern = _template_pattern(template)
        for text in texts:
            if pattern.fullmatch(str(text)):
                own[lang] = str(text)
                break
    return own or found


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching ``template`` with its ``{?var}`` slots filled.

    >>> bool(_template_pattern("End {?value} before {$start}.").fullmatch("End 2020 before 2021."))
    True
    """
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return re.compile("(?:.*?)".join(re.escape(p) for p in parts), re.DOTALL)


def run_pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    """Validate with pySHACL (the reference engine), no inference: the ontology is in ``data``."""
    import pyshacl

    _conforms, results_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return results_from_graph(results_graph, shapes)


__all__ = ["results_from_graph", "run_pyshacl"]
