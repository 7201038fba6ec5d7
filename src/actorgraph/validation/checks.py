"""The ``queries/*-violation.rq`` checks: each row a Violation."""

from __future__ import annotations

from collections.abc import Iterable

from ..catalogue import Query
from ..store import EmbeddedStore
from .report import Result


def run_violation_queries(store: EmbeddedStore, queries: Iterable[Query]) -> list[Result]:
    """Each row of a ``*-violation.rq`` query is a Violation.

    Its ``?focus`` (or first) variable is the focus node; ``?path`` and
    ``?value`` are used when the query selects them; ``?message`` overrides
    the query's summary. Queries of other roles are skipped.
    """
    results = []
    for query in queries:
        if query.role != "violation":
            continue
        solutions = store.query(query.text)
        names = [v.value for v in solutions.variables]
        focus_var = "focus" if "focus" in names else (names[0] if names else None)
        for sol in solutions:
            focus = sol[focus_var] if focus_var else None
            path, value, message = (
                sol[n] if n in names else None for n in ("path", "value", "message")
            )
            messages = {"en": query.summary}
            if query.header.get("summary_fr"):
                messages["fr"] = query.header["summary_fr"]
            if message is not None:
                messages = {getattr(message, "language", None) or "": message.value}
            results.append(
                Result(
                    severity="Violation",
                    focus=focus.value if focus is not None else "",
                    component=f"query:{query.name}",
                    source=str(query.path or query.name),
                    path=path.value if path is not None else None,
                    value=value.value if value is not None else None,
                    messages=messages,
                )
            )
    return results


__all__ = ["run_violation_queries"]
