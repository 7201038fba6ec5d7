"""Queries from elsewhere, run where they can be stopped, answered as bytes.

pyoxigraph cannot cancel a query once it runs (it releases the GIL, so other
threads go on, but the query keeps its CPU until it ends, which a cartesian
product never does). A server that gave up waiting on such a query would still
be running it, and a few of them would take it down. So a query from a
visitor runs in a :class:`WorkerPool`: worker processes that each open the
on-disk store read-only, run one query at a time, serialise the answer
themselves in the format asked for (:func:`execute`) and send back bytes. A
query that runs out of time has its worker killed, which frees its CPU and
memory at once, and a fresh worker takes its place.

A store held only in memory cannot be opened by another process; its queries
run on threads (:func:`execute` directly), which can stop waiting but not stop
the query: the caller keeps the query's slot taken until it really ends.

>>> from actorgraph.store import EmbeddedStore
>>> s = EmbeddedStore()
>>> s.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
1
>>> execute(s, Job("SELECT ?s WHERE { ?s ?p ?o }", "csv")).body
b's\\r\\nhttp://e/a\\r\\n'
>>> r = execute(s, Job("CONSTRUCT WHERE { ?s ?p ?o }", "nt", cap=0))
>>> r.body, r.truncated
(b'', True)
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import errors
from ..errors import ActorGraphError, QueryError, QueryTimeout
from ..namespaces import PREFIXES
from .embedded import EmbeddedStore
from .sparql import Answer, Dataset, answer_from, failure, query_form, service_endpoints, star_order

#: Result formats by name: media type, and whether they hold query results
#: (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE).
FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/sparql-results+json", "results"),
    "xml": ("application/sparql-results+xml", "results"),
    "csv": ("text/csv", "results"),
    "tsv": ("text/tab-separated-values", "results"),
    "ttl": ("text/turtle", "graph"),
    "nt": ("application/n-triples", "graph"),
    "jsonld": ("application/ld+json", "graph"),
    "rdfxml": ("application/rdf+xml", "graph"),
    "nq": ("application/n-quads", "graph"),
    "trig": ("application/trig", "graph"),
}
_RESULTS = {
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


@dataclass(frozen=True)
class Job:
    """One query to answer: its text, the format of the answer, the most rows
    (or triples) to send, and its dataset (the Protocol's, or else the union
    of the store's graphs when ``union``, or else the query's own ``FROM``)."""

    text: str
    fmt: str
    cap: int | None = None
    dataset: Dataset | None = None
    union: bool = True
    base_iri: str | None = None


@dataclass(frozen=True)
class Result:
    """An answer in bytes; ``truncated`` when the cap cut it."""

    body: bytes
    form: str
    truncated: bool = False


# ---- answering ---------------------------------------------------------------


def _term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {  # an RDF-star triple term
        "type": "triple",
        "value": {
            "subject": _term(term.subject),
            "predicate": _term(term.predicate),
            "object": _term(term.object),
        },
    }


def _results(head: dict[str, Any], body: dict[str, Any], fmt: str) -> bytes:
    doc = json.dumps({"head": head, **body}, ensure_ascii=False).encode()
    if fmt == "json":
        return doc
    parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=_RESULTS[fmt]) or b""


def _graph(triples: list[ox.Triple], fmt: str) -> bytes:
    rdf = _GRAPHS[fmt]
    items: list[Any] = triples
    if rdf in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    prefixes = None
    if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        iris = {
            term.value
            for t in triples
            for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)
        }
        prefixes = {
            p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)
        } or None
    return ox.serialize(items, format=rdf, prefixes=prefixes) or b""


def serialise(answer: Answer, fmt: str) -> bytes:
    """An :class:`Answer` in the format ``fmt`` (a key of :data:`FORMATS`).

    >>> serialise(Answer("ASK", boolean=True), "json")
    b'{"head": {}, "boolean": true}'
    """
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        return _graph(answer.triples, fmt)
    if answer.form == "ASK":
        return _results({}, {"boolean": bool(answer.boolean)}, fmt)
    rows = [{k: _term(v) for k, v in row.items()} for row in answer.rows]
    return _results({"vars": answer.variables}, {"results": {"bindings": rows}}, fmt)


def _answer(found: Any, form: str, job: Job) -> Result:
    if form == "SELECT":
        names = star_order(job.text, [v.value for v in found.variables])
        rows: list[dict[str, Any]] = []
        truncated = False
        for solution in found:
            if job.cap is not None and len(rows) >= job.cap:
                truncated = True
                break
            rows.append({n: _term(solution[n]) for n in names if solution[n] is not None})
        body = _results({"vars": names}, {"results": {"bindings": rows}}, job.fmt)
        return Result(body, form, truncated)
    answer = answer_from(found, form, job.cap, job.text)
    return Result(serialise(answer, job.fmt), form, answer.truncated)


def _run(store: EmbeddedStore, job: Job, form: str) -> Result:
    found = store.query(job.text, union=job.union, dataset=job.dataset, base_iri=job.base_iri)
    return _answer(found, form, job)


def execute(store: EmbeddedStore, job: Job) -> Result:
    """Run ``job`` on ``store`` and serialise its answer (in a worker process,
    or on a thread for a store in memory)."""
    form = query_form(job.text)
    if form == "UPDATE":
        raise QueryError("this is an update, not a query")
    if FORMATS[job.fmt][1] != ("graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"):
        raise QueryError(f"a {form} query cannot be answered as {FORMATS[job.fmt][0]}")
    error: ActorGraphError
    try:
        return _run(store, job, form)
    except OSError as exc:  # raised while a SERVICE answer is read
        reason = (str(exc).strip().splitlines() or ["I/O error"])[0][:200]
        error = failure(service_endpoints(job.text), reason)
    except (RuntimeError, ValueError) as exc:
        error = QueryError(f"query failed: {exc}")
    except ActorGraphError as exc:
        error = exc
    # Raised here, without the traceback of the failure: its frames hold the
    # pyoxigraph results, which must not leave this thread (on a thread of the
    # server, the error is handed to another one).
    error.__context__ = error.__cause__ = None
    raise error.with_traceback(None)


# ---- the pool ----------------------------------------------------------------


def _orphaned(parent: int) -> None:
    """Exit when the process that started this worker is gone (a worker in
    the middle of a query would otherwise not notice until it ends)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def _error(exc: BaseException) -> tuple[Any, ...]:
    if isinstance(exc, ActorGraphError):
        return ("error", type(exc).__name__, exc.message, exc.field, exc.hint)
    return ("error", "ActorGraphError", f"query failed: {exc}", None, None)


#: How much lower than the server a worker process runs (``nice``).
NICENESS = 10


def _serve(folder: str, conn: Any, parent: int) -> None:
    """A worker process: open the store, then answer jobs until the pipe closes."""
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        return
    # Below the server's own priority: when queries take every core, pages and
    # RDF descriptions (answered in the server process) still get their turn.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    try:
        store = EmbeddedStore(Path(folder), read_only=True)
    except BaseException as exc:
        conn.send(_error(exc))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", execute(store, job))
        except BaseException as exc:
            reply = _error(exc)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _raise(reply: tuple[Any, ...]) -> None:
    _, name, message, field, hint = reply
    kind = getattr(errors, name, None)
    if not (isinstance(kind, type) and issubclass(kind, ActorGraphError)):
        kind = ActorGraphError
    raise kind(message, field=field, hint=hint)


@dataclass
class _Worker:
    process: Any
    conn: Any
    pid: int


class WorkerPool:
    """``size`` worker processes answering queries on the on-disk store at
    ``folder`` (opened read-only by each). Safe to call from several threads;
    a call waits for an idle worker."""

    def __init__(self, folder: Path, size: int, *, start_timeout: float = 60.0) -> None:
        self.folder = folder
        self.size = size
        self.start_timeout = start_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    @property
    def pids(self) -> list[int]:
        """The worker processes alive now."""
        with self._lock:
            return sorted(self._all)

    def _start(self) -> _Worker:
        # A process of its own (``python -m``), not a multiprocessing child:
        # nothing of this process (its threads, its open store, its __main__)
        # is copied or imported again there.
        ours, theirs = socket.socketpair()
        package = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([package, *filter(None, [os.environ.get("PYTHONPATH")])]),
        }
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self.folder), str(theirs.fileno()),
                 str(os.getpid())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
            )  # fmt: skip
        conn = Connection(ours.detach())
        try:
            if not conn.poll(self.start_timeout):
                raise ActorGraphError(
                    f"a query worker did not start within {self.start_timeout:g} s"
                )
            reply = conn.recv()
        except EOFError:
            reply = ("error", "ActorGraphError", "a query worker exited as it started", None, None)
        except BaseException:
            process.kill()
            process.wait()
            conn.close()
            raise
        if reply[0] != "ready":
            process.kill()
            process.wait()
            conn.close()
            _raise(reply)
        worker = _Worker(process, conn, process.pid)
        with self._lock:
            self._all[worker.pid] = worker
            if self._closed:
                self._stop(worker)
        return worker

    def _stop(self, worker: _Worker) -> None:
        self._all.pop(worker.pid, None)
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.process.wait()
        with contextlib.suppress(OSError):
            worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; a fresh one joins the idle ones when it is ready."""
        with self._lock:
            self._stop(worker)
            if self._closed:
                return

        def start() -> None:
            for attempt in range(3):
                try:
                    self._idle.put(self._start())
                    return
                except ActorGraphError:
                    time.sleep(0.5 * 2**attempt)

        threading.Thread(target=start, name="actorgraph-query-start", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Result:
        """The answer to ``job``; a job that takes longer than ``timeout``
        seconds has its worker killed and raises :class:`QueryTimeout`."""
        try:
            worker = self._idle.get(timeout=self.start_timeout)
        except queue.Empty:
            raise ActorGraphError(
                "no query worker could be started", hint="see the server's log"
            ) from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                raise QueryTimeout(
                    f"the query took longer than {timeout:g} s and was stopped",
                    hint="ask a narrower question: fewer variables left open, a LIMIT",
                )
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise ActorGraphError(
                "the query's worker process died (out of memory?)", hint="ask a narrower question"
            ) from None
        else:
            self._idle.put(worker)
        if reply[0] == "ok":
            result: Result = reply[1]
            return result
        _raise(reply)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            for worker in list(self._all.values()):
                self._stop(worker)


def answer_remote(store: Any, job: Job, timeout: float) -> Result:
    """``job`` asked of a remote store (its own deadline bounds the wait),
    the answer serialised here."""
    # A query with its own FROM asks the server's dataset, not the project's.
    own = {"union": False} if job.dataset is None and not job.union else {}
    started = time.monotonic()
    try:
        answer = store.answer(job.text, limit=job.cap, timeout=timeout, dataset=job.dataset, **own)
    except errors.ServiceError as exc:
        if time.monotonic() - started < timeout:
            raise
        raise QueryTimeout(
            f"the query took longer than {timeout:g} s on {store.label}; it was abandoned",
            hint="ask a narrower question: fewer variables left open, a LIMIT",
        ) from exc
    return Result(serialise(answer, job.fmt), answer.form, answer.truncated)


def main(argv: list[str]) -> None:
    """A worker process's entry point: ``python -m actorgraph.store.workers
    FOLDER FD PARENT_PID``."""
    folder, fd, parent = argv
    _serve(folder, Connection(int(fd)), int(parent))


if __name__ == "__main__":
    # Through the module's own name, so that what it sends back unpickles as
    # actorgraph.store.workers.Result, not __main__.Result.
    from actorgraph.store.workers import main as _main

    _main(sys.argv[1:])


__all__ = [
    "FORMATS",
    "Job",
    "Result",
    "WorkerPool",
    "answer_remote",
    "execute",
    "serialise",
]
