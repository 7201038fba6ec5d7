"""The embedded store (pyoxigraph, in memory or on disk); remote SPARQL 1.1
servers are reached through :mod:`actorgraph.remote`, and
:mod:`actorgraph.query` runs the same questions on either.

>>> store = EmbeddedStore()
>>> store.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
1
>>> [row["s"].value for row in store.select("SELECT ?s WHERE { ?s ?p ?o }")]
['http://e/a']
>>> store.graphs()
['http://e/g']
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import LoadError, QueryError

#: File extension → pyoxigraph format.
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format of a file name (``x.ttl``, ``x.nt.gz``) or format name (``ttl``)."""
    text = str(name_or_path).lower().removesuffix(".gz")
    key = text.rsplit(".", 1)[-1]
    try:
        return FORMATS[key]
    except KeyError:
        raise LoadError(
            f"unknown RDF format {key!r}; expected one of {', '.join(sorted(FORMATS))}",
            file=str(name_or_path) if "." in text else None,
        ) from None


def read_source(path: Path) -> bytes:
    """The bytes of a source file, checked: present, not empty, UTF-8."""
    if not path.exists():
        raise LoadError("file not found", file=path)
    if not path.is_file():
        raise LoadError("not a file", file=path)
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise LoadError(f"cannot read: {exc}", file=path) from None
    if not raw.strip():
        raise LoadError("file is empty", file=path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=path,
            line=line,
        ) from None
    return raw


def syntax_error(exc: SyntaxError, file: str | Path | None) -> LoadError:
    """A pyoxigraph syntax error as a :class:`LoadError` with file and line."""
    message = exc.msg or str(exc)
    # pyoxigraph says "Parser error between line L column C and …: message".
    if message.startswith("Parser error") and ": " in message:
        message = message.split(": ", 1)[1]
    return LoadError(f"syntax error: {message}", file=file, line=exc.lineno, column=exc.offset)


class EmbeddedStore:
    """A pyoxigraph store, in memory (``path=None``) or in an on-disk folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.ox = ox.Store(str(path)) if path is not None else ox.Store()

    # ---- loading -------------------------------------------------------
    def load_bytes(
        self,
        data: bytes,
        fmt: str | ox.RdfFormat,
        *,
        graph: str | None = None,
        base_iri: str | None = None,
        file: str | Path | None = None,
    ) -> int:
        """Parse ``data`` into ``graph`` (quads formats keep their own graphs).

        Returns the number of quads added. Nothing is added on a syntax error.
        """
        rdf_fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        quads_file = rdf_fmt in QUAD_FORMATS
        target = ox.NamedNode(graph) if graph and not quads_file else None
        # len(Store) counts every quad of the store: per file, count only the target graph.
        before = self.count(graph) if target is not None else len(self.ox)
        try:
            # Store.load is transactional: a syntax error leaves the store unchanged.
            self.ox.load(data, format=rdf_fmt, base_iri=base_iri, to_graph=target)
        except SyntaxError as exc:
            raise syntax_error(exc, file) from None
        except ValueError as exc:
            raise LoadError(f"invalid RDF: {exc}", file=file) from None
        if quads_file and graph:
            # Triples outside any graph in a quads file belong to the file's own graph.
            self.ox.update(f"ADD DEFAULT TO <{graph}> ; DROP SILENT DEFAULT")
        return (self.count(graph) if target is not None and graph else len(self.ox)) - before

    def load_file(self, path: Path, *, graph: str | None = None) -> int:
        """Load one file, checked and named in every error."""
        data = read_source(path)
        return self.load_bytes(
            data, rdf_format(path.name), graph=graph, base_iri=path.resolve().as_uri(), file=path
        )

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self.ox.extend(quads)

    # ---- querying ------------------------------------------------------
    def query(
        self,
        query: str,
        bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
        *,
        union: bool = True,
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of all graphs unless ``union=False``."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            return self.ox.query(
                query, use_default_graph_as_union=union, substitutions=subs or None
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.msg or exc}") from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None

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
        >>> part.graphs(), len(part), len(s)
        (['http://e/g2'], 1, 2)
        >>> s.subset(None) is s
        True
        """
        if graphs is None:
            return self
        keep = set(graphs)
        names = list(self.ox.named_graphs())
        if all(g.value in keep for g in names):
            return self
        buffer = io.BytesIO()
        kept = [g for g in names if g.value in keep]
        for g in kept:
            self.ox.dump(buffer, format=ox.RdfFormat.N_QUADS, from_graph=g)
        part = EmbeddedStore()
        part.ox.bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
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
        same). The block must not change the store.

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
        if len(named) == len(others) and self._smaller(named, [ox.NamedNode(g) for g in keep]):
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
