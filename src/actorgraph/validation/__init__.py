"""Validation: the project's SHACL shapes plus the ``*-violation.rq`` checks.

The data graph handed to a SHACL engine holds the data *and* the ontology and
vocabularies, so ``sh:class ag:Organisation`` sees every subclass and
vocabulary membership can be checked.

Two engines give the same results (``tests/test_shacl_fast.py`` holds them to
it): ``fast`` (the shapes compiled to SPARQL, run by Oxigraph; the default) and
``pyshacl`` (the reference). When the shapes use a feature the compiler does
not handle, the fast engine declines and pySHACL validates instead; the
report's engine name says so.

Modules, bottom up: :mod:`.report` (the report model and its renderings),
:mod:`.shapes` (reading the shapes), :mod:`.compiler` (shapes → SPARQL),
:mod:`.fast` (running the compiled checks), :mod:`.pyshacl_engine`,
:mod:`.checks` (the violation queries), :mod:`.labels`, :mod:`.provenance`
(the graph and file of each result); this module ties them
together.

>>> ENGINES
('fast', 'pyshacl')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from rdflib import Graph

from ..catalogue import catalogue
from ..errors import LoadError
from ..progress import Progress, ignore
from ..project import group_of
from ..store import EmbeddedStore
from .checks import run_violation_queries
from .compiler import Unsupported
from .fast import validate_fast
from .labels import add_labels
from .provenance import add_graphs, source_files
from .pyshacl_engine import results_from_graph, run_pyshacl
from .report import SEVERITIES, Report, Result
from .shapes import load_shapes


class Engine(Protocol):
    """A SHACL engine: the results of ``shapes`` over the named ``graphs`` of
    ``store`` (all of them when ``graphs`` is None)."""

    def __call__(
        self, store: EmbeddedStore, shapes: Graph, graphs: list[str] | None, /
    ) -> list[Result]: ...


def _pyshacl(store: EmbeddedStore, shapes: Graph, graphs: list[str] | None) -> list[Result]:
    return run_pyshacl(store.to_rdflib(graphs), shapes)


#: The engines by name, the default first. An engine may decline shapes it does
#: not handle by raising :class:`~.compiler.Unsupported`; :data:`FALLBACK` then runs.
REGISTRY: Mapping[str, Engine] = MappingProxyType({"fast": validate_fast, "pyshacl": _pyshacl})
ENGINES = tuple(REGISTRY)
FALLBACK = "pyshacl"


def engine_named(name: str) -> Engine:
    """The engine called ``name``.

    >>> engine_named("sparql")
    Traceback (most recent call last):
    ...
    actorgraph.errors.LoadError: --engine: unknown validation engine 'sparql'; expected one of fast, pyshacl
    """
    if name not in REGISTRY:
        raise LoadError(
            f"unknown validation engine {name!r}; expected one of {', '.join(ENGINES)}",
            field="--engine",
        )
    return REGISTRY[name]


def run_engine(
    name: str, store: EmbeddedStore, shapes: Graph, graphs: list[str] | None = None
) -> tuple[list[Result], str]:
    """The SHACL results of engine ``name``, and the name of the engine that gave them:
    ``name``, or ``"pyshacl (fast engine: <why>)"`` when it declined the shapes
    (never a silently different answer)."""
    engine = engine_named(name)
    try:
        return engine(store, shapes, graphs), name
    except Unsupported as exc:
        if name == FALLBACK:
            raise
        return REGISTRY[FALLBACK](
            store, shapes, graphs
        ), f"{FALLBACK} ({name} engine: {exc.message})"


def validate_store(
    store: EmbeddedStore,
    shapes_files: Sequence[Path],
    queries_dir: Path | None = None,
    *,
    engine: str = "fast",
    lang: str = "en",
    skip_groups: Iterable[str] = ("reference",),
    files: Mapping[str, str] | None = None,
    progress: Progress = ignore,
) -> Report:
    """Validate everything in ``store`` against the shapes and the violation queries.

    The named graphs of ``skip_groups`` are left out of the SHACL run: by default
    the gazetteer (``reference``), generated from a registry package and checked by
    its own tests, whose ~400k triples would take pySHACL minutes.

    Each result names the graph its statements come from, and the file of that
    graph when ``files`` (graph IRI → file, see :func:`source_files`) has it.
    ``progress`` hears each phase as it starts.
    """
    engine_named(engine)  # an unknown name is refused before the shapes are read
    phases = 4
    progress("validating: reading the shapes", 0, phases)
    shapes = load_shapes(shapes_files)
    skip = set(skip_groups)
    graphs = [g for g in store.graphs() if group_of(g) not in skip] if skip else None
    progress(f"validating: the shapes ({engine} engine)", 1, phases)
    results, used = run_engine(engine, store, shapes, graphs)
    if queries_dir is not None:
        progress("validating: the *-violation.rq checks", 2, phases)
        results += run_violation_queries(store, catalogue(queries_dir))
    progress("validating: labels and sources of the results", 3, phases)
    add_labels(store, results, lang)
    add_graphs(store, results, files)
    results.sort(key=Result.key)
    return Report(results, used)


__all__ = [
    "ENGINES",
    "FALLBACK",
    "REGISTRY",
    "SEVERITIES",
    "Engine",
    "Report",
    "Result",
    "engine_named",
    "load_shapes",
    "results_from_graph",
    "run_engine",
    "run_pyshacl",
    "run_violation_queries",
    "source_files",
    "validate_fast",
    "validate_store",
]
