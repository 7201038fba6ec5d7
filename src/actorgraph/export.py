"""The library side of ``export``: which named graphs a group stands for, and
writing a chosen format to a file atomically. The writing itself is the
writer registry's (:mod:`actorgraph.rdf`): the same input gives the same bytes.

>>> store = EmbeddedStore()
>>> _ = store.load_bytes(b'<http://example.org/a> <http://example.org/p> "1" .', "nt",
...                      graph="https://w3id.org/actorgraph/graph/data/example")
>>> select_graphs(store, ["data"]), select_graphs(store, ["links"])
(['https://w3id.org/actorgraph/graph/data/example'], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ActorGraphError
from .fsutil import atomic_open
from .project import GROUPS, group_of
from .rdf import serialize_graphs
from .store import EmbeddedStore


def select_graphs(store: EmbeddedStore, groups: Iterable[str] | None) -> list[str]:
    """The named graphs of the given groups (all graphs when ``groups`` is None)."""
    if groups is None:
        return store.graphs()
    wanted = set(groups)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise ActorGraphError(
            f"unknown graph group {', '.join(sorted(unknown))}; expected {', '.join(GROUPS)}",
            field="--graph",
        )
    return [g for g in store.graphs() if group_of(g) in wanted]


def write(
    store: EmbeddedStore,
    fmt: str,
    path: Path,
    graphs: list[str] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> int:
    """Write the graphs in ``fmt`` to ``path`` atomically; returns the number of bytes."""
    data = serialize_graphs(store, fmt, graphs, context=context)
    with atomic_open(path) as handle:
        handle.write(data)
    return len(data)
