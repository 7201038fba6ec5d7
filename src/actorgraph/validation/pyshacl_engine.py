"""The pySHACL engine: the reference implementation, and the fast engine's fallback."""

from __future__ import annotations

from rdflib import Graph

from ..namespaces import SH
from .report import Result, node_str
from .shapes import messages, path_str


def results_from_graph(results: Graph) -> list[Result]:
    """Results of a SHACL validation report graph."""
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
                messages=messages(results, node, SH.resultMessage),
            )
        )
    return out


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
    return results_from_graph(results_graph)


__all__ = ["results_from_graph", "run_pyshacl"]
