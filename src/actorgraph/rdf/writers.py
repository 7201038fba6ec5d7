"""The registered writers of Turtle, N-Triples, N-Quads and TriG.

Each one writes ordered lines (:mod:`actorgraph.rdf.lines`): those of a
store's named graphs, or those of a collection of statements; so a CONSTRUCT
answer, a links file and an export follow the same ordering and prefix rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ..store import EmbeddedStore
from . import lines as _lines
from .lines import Lines, _document, ordered_graph_lines, statement_lines
from .turtle import trig, turtle


class LineWriter:
    """A writer of ordered lines: of each named graph when ``per_graph``, of
    their union (under None) otherwise."""

    per_graph = False

    def dedupe(self) -> bool:
        """Should the union's repeated triples be dropped before :meth:`write`?
        (No, where the writer drops them itself, which is cheaper.)"""
        return True

    def write_graphs(
        self,
        store: EmbeddedStore,
        graphs: list[str],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> bytes:
        lines = ordered_graph_lines(store, graphs, per_graph=self.per_graph, dedupe=self.dedupe())
        return self.write(lines, context)

    def write_statements(
        self,
        statements: Sequence[ox.Quad],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return self.write(statement_lines(statements, per_graph=self.per_graph), context)

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        raise NotImplementedError


class TurtleWriter(LineWriter):
    def dedupe(self) -> bool:
        return False  # a triple of several graphs comes on neighbouring lines: written once

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        return turtle(lines[None])


class NTriplesWriter(LineWriter):
    def dedupe(self) -> bool:
        return _lines._compiled is None  # the compiled join drops repeated lines itself

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        return _document(lines[None], unique=_lines._compiled is not None)


class NQuadsWriter(LineWriter):
    per_graph = True

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        return b"".join(_document(ordered, graph=g) for g, ordered in lines.items())


class TriGWriter(LineWriter):
    per_graph = True

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        return trig(lines)


TURTLE = TurtleWriter()
NTRIPLES = NTriplesWriter()
NQUADS = NQuadsWriter()
TRIG = TriGWriter()
