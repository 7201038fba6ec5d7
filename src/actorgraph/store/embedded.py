"""The embedded engine of the store port: pyoxigraph, in memory or on disk
(the project store, :mod:`actorgraph.store.persistent`, opens it read-only).

>>> store = EmbeddedStore()
>>> store.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
1
>>> [row["s"].value for row in store.select("SELECT ?s WHERE { ?s ?p ?o }")]
['http://e/a']
>>> store.graphs()
['http://e/g']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import LoadError, QueryError
from .files import QUAD_FORMATS, rdf_format, read_source, syntax_error
from .sparql import (
    Answer,
    Dataset,
    Term,
    add_values,
    as_nquads,
    failure,
    run_local,
    service_endpoints,
)


class EmbeddedStore:
    """A pyoxigraph store, in memory (``path=None``) or in an on-disk folder."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self.ox = ox.Store()
        else:
            try:
                self.ox = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
            except OSError as exc:
                raise LoadError(f"cannot open the store: {exc}", file=path) from None
        self.read_only = read_only
        #: The on-disk folder, or None in memory (other processes may open it read-only).
        self.path = path
        self.label = str(path) if path is not None else "memory"

    # ---- loading -------------------------------------------------------
    def load_bytes(
        self,
        data: bytes,
        fmt: str | ox.RdfFormat,
        *,
        graph: str | None = None,
        base_iri: str | None = None,
        file: str | Path | None = None,
        bulk: bool = False,
    ) -> int:
        """Parse ``data`` into ``graph`` (quads formats keep their own graphs).

        Returns the number of quads added. Nothing is added on a syntax error,
        unless ``bulk``: the faster bulk loader of an on-disk store may leave
        part of the file behind, for callers that throw the store away on error.
        """
        rdf_fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        quads_file = rdf_fmt in QUAD_FORMATS
        target = ox.NamedNode(graph) if graph and not quads_file else None
        if quads_file and graph:
            self._check_own_graph(data, rdf_fmt, graph, file)
        # len(Store) counts every quad of the store: per file, count only the target graph.
        before = self.count(graph) if target is not None else len(self.ox)
        try:
            # Store.load is transactional: a syntax error leaves the store unchanged.
            if bulk:
                self.ox.bulk_load(data, format=rdf_fmt, base_iri=base_iri, to_graph=target)
                if target is not None:
                    self.ox.add_graph(target)
            else:
                self.ox.load(data, format=rdf_fmt, base_iri=base_iri, to_graph=target)
        except SyntaxError as exc:
            raise syntax_error(exc, file) from None
        except ValueError as exc:
            raise LoadError(f"invalid RDF: {exc}", file=file) from None
        if quads_file and graph:
            # Triples outside any graph in a quads file belong to the file's own graph.
            self.ox.update(f"ADD DEFAULT TO <{graph}> ; DROP SILENT DEFAULT")
        return (self.count(graph) if target is not None and graph else len(self.ox)) - before

    @staticmethod
    def _check_own_graph(
        data: bytes, fmt: ox.RdfFormat, graph: str, file: str | Path | None
    ) -> None:
        """A quads file (N-Quads, TriG) of the project writes only into its own
        named graph: not into the ontology's, nor into another source's."""
        try:
            for quad in ox.parse(data, format=fmt):
                name = quad.graph_name
                if isinstance(name, ox.DefaultGraph) or (
                    isinstance(name, ox.NamedNode) and name.value == graph
                ):
                    continue
                raise LoadError(
                    f"this file writes into the named graph {name}, not its own <{graph}>",
                    file=file,
                    hint="a file's statements belong to the graph named after the file; "
                    "move them to the file of that graph",
                )
        except SyntaxError as exc:
            raise syntax_error(exc, file) from None

    def load_file(self, path: Path, *, graph: str | None = None, relative: bool = True) -> int:
        """Load one file, checked and named in every error. Relative IRIs are
        resolved against the file's own URI unless ``relative`` is false (the
        project's sources: there they are an error, see :mod:`.load`)."""
        data = read_source(path)
        base = path.resolve().as_uri() if relative else None
        return self.load_bytes(data, rdf_format(path.name), graph=graph, base_iri=base, file=path)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self.ox.extend(quads)

    # ---- querying ------------------------------------------------------
    def query(
        self,
        query: str,
        bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
        *,
        union: bool = True,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of all graphs unless
        ``union=False`` (the store's own default graph, or the query's ``FROM``)
        or a ``dataset`` is given (the SPARQL 1.1 Protocol's)."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        options: dict[str, Any] = {"use_default_graph_as_union": union}
        if dataset is not None:
            options = {
                "default_graph": [ox.NamedNode(g) for g in dataset.default],
                "named_graphs": [ox.NamedNode(g) for g in dataset.named],
            }
        try:
            return self.ox.query(query, substitutions=subs or None, base_iri=base_iri, **options)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.msg or exc}") from None
        except OSError as exc:
            raise failure(service_endpoints(query), str(exc).strip()[:200]) from None

    def select(
        self,
        query: str,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        *,
        union: bool = True,
    ) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable name → pyoxigraph term (unbound omitted)."""
        solutions = self.query(query, bindings, union=union)
        names = [v.value for v in solutions.variables]
        rows = []
        for sol in solutions:
            row = {}
            for name in names:
                term = sol[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    def answer(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        timeout: float | None = None,
        dataset: Dataset | None = None,
    ) -> Answer:
        """Run a read-only query (the port's entry point for verbs)."""
        answer = run_local(
            self,
            text,
            bindings,
            limit=None if limit is None else limit + (offset or 0),
            timeout=timeout,
            dataset=dataset,
        )
        if offset:
            answer.rows = answer.rows[offset:]
            answer.triples = answer.triples[offset:]
        return answer

    def ask(self, text: str, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self.query(text, bindings))

    def construct(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[ox.Triple]:
        return list(self.query(text, bindings))

    def describe(self, iri: str) -> list[ox.Triple]:
        node = ox.NamedNode(iri)
        return [q.triple for q in self.ox.quads_for_pattern(node, None, None)]

    def update(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        base_iri: str | None = None,
    ) -> None:
        if self.read_only:
            raise QueryError(f"the store {self.label} is read-only")
        if bindings:
            text = add_values(text, bindings)
        try:
            self.ox.update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.msg or exc}") from None
        except OSError as exc:
            raise QueryError(f"update failed: {exc}") from None

    def read_graph(self, graph: str) -> bytes:
        return self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    def replace_graph(self, graph: str, data: bytes, fmt: str = "nt") -> None:
        node = ox.NamedNode(graph)
        fresh = EmbeddedStore()
        fresh.load_bytes(data, fmt, graph=graph)  # parsed first: a bad graph leaves the old one
        self.ox.remove_graph(node)
        self.ox.add_graph(node)
        self.ox.extend(fresh.ox.quads_for_pattern(None, None, None, node))

    def dump(self, graphs: Iterable[str] | None = None) -> bytes:
        if graphs is None:
            return self.ox.dump(format=ox.RdfFormat.N_QUADS) or b""
        return b"".join(as_nquads(self.read_graph(g), g) for g in graphs)

    # ---- reading -------------------------------------------------------
    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.ox)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.ox)
        # Counted by the engine, not quad by quad in Python.
        rows = self.ox.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        if graphs is None:
            yield from self.ox
            return
        for g in graphs:
            yield from self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def subset(self, graphs: Iterable[str] | None) -> EmbeddedStore:
        """A store holding only ``graphs``: this one when it holds no other, else
        an in-memory copy (queries over a union default graph are about ten
        times faster in Oxigraph than over a list of named graphs).

        >>> s = EmbeddedStore()
        >>> s.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g1")
        1
        >>> s.load_bytes(b'<http://e/b> <http://e/p> "y" .', "nt", graph="http://e/g2")
        1
        >>> part = s.subset(["http://e/g2"])
        >>> part.graphs(), part.count("http://e/g2"), len(part), len(s)
        (['http://e/g2'], 1, 1, 2)
        >>> s.subset(None) is s
        True
        """
        if graphs is None:
            return self
        keep = set(graphs)
        names = list(self.ox.named_graphs())
        if all(g.value in keep for g in names):
            return self
        kept = [g for g in names if isinstance(g, ox.NamedNode) and g.value in keep]
        part = EmbeddedStore()
        # One graph dumped is triples (no graph name): each goes back into its
        # own named graph, so that GRAPH patterns and per-graph counts still hold.
        part.ox.bulk_load(self.dump([g.value for g in kept]), format=ox.RdfFormat.N_QUADS)
        for g in kept:  # bulk_load does not list the graphs it fills
            part.ox.add_graph(g)
        return part

    @contextmanager
    def restricted(self, graphs: Iterable[str] | None) -> Iterator[EmbeddedStore]:
        """A store holding only ``graphs``, to read while the block runs.

        Queries over the union default graph are about ten times faster in
        Oxigraph than over a list of named graphs, so the other graphs are put
        out of the way, by the cheaper of two means: when they hold fewer quads
        than the kept ones (the gazetteer beside a large directory), they are
        set aside (dumped, removed) and put back when the block ends, however it
        ends; otherwise the kept ones are copied (:meth:`subset`). Graphs with
        blank nodes are never set aside (their nodes would not come back the
        same), nor is anything of a read-only store. The block must not change
        the store.

        >>> s = EmbeddedStore()
        >>> s.load_bytes(b'<http://e/a> <http://e/p> "x", "y" .', "ttl", graph="http://e/big")
        2
        >>> s.load_bytes(b'<http://e/b> <http://e/p> "z" .', "nt", graph="http://e/small")
        1
        >>> with s.restricted(["http://e/big"]) as part:
        ...     part is s, part.graphs(), len(part)
        (True, ['http://e/big'], 2)
        >>> s.graphs(), len(s)
        (['http://e/big', 'http://e/small'], 3)
        """
        if graphs is None:
            yield self
            return
        keep = set(graphs)
        others = [g for g in self.ox.named_graphs() if g.value not in keep]
        if not others:
            yield self
            return
        named = [g for g in others if isinstance(g, ox.NamedNode)]
        saved: list[tuple[ox.NamedNode, bytes]] = []
        if (
            len(named) == len(others)
            and not self.read_only
            and self._smaller(named, [ox.NamedNode(g) for g in keep])
        ):
            for g in named:
                data = self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b""
                if b"_:" in data:  # blank nodes (or "_:" in a literal): copy instead
                    saved = []
                    break
                saved.append((g, data))
        if not saved:
            yield self.subset(keep)
            return
        for g, _ in saved:
            self.ox.remove_graph(g)
        try:
            yield self
        finally:
            for g, data in saved:
                self.ox.add_graph(g)
                if data:
                    self.ox.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=g)

    def _smaller(self, these: list[ox.NamedNode], than: list[ox.NamedNode]) -> bool:
        """Whether ``these`` graphs hold fewer quads than ``than`` and the
        default graph is empty. The other side is only counted up to that
        number, so a small kept part beside a large one costs next to nothing."""
        if next(self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()), None):
            return False  # a copy leaves the default graph out; setting aside would not

        def count(graphs: list[ox.NamedNode], limit: int | None = None) -> int:
            values = " ".join(str(g) for g in graphs)
            rows = self.ox.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ VALUES ?g {{ {values} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} }}{'' if limit is None else f' LIMIT {limit}'} }}"
            )
            assert isinstance(rows, ox.QuerySolutions)
            return int(next(iter(rows))["n"].value)

        kept = count(than) if than else 0
        return kept > 0 and count(these, kept) < kept

    def ntriples(self, graphs: Iterable[str] | None = None) -> bytes:
        """The triples of ``graphs`` (all by default) as N-Triples bytes, for handing to rdflib."""
        triples = (q.triple for q in self.quads(graphs))
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def to_rdflib(self, graphs: Iterable[str] | None = None) -> Any:
        """An rdflib Graph of the union of ``graphs``, handed over as N-Triples bytes."""
        from rdflib import Graph

        g = Graph()
        data = self.ntriples(graphs)
        if data:
            g.parse(data=data, format="nt")
        return g
