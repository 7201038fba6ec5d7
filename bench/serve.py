"""``make bench-serve``: ``actorgraph serve`` under load, beside ``oxigraph serve``.

``python bench/serve.py --size seed --seconds 30`` starts ``actorgraph serve``
on the project (``seed``: this repository's own data; ``100k``, ``1M``: a
throw-away project around the generated data of bench/data/<size>, as
``make bench`` builds it) and ``oxigraph serve`` on the same N-Quads, then
drives them with ``--clients`` (50) concurrent clients of its own (asyncio,
HTTP/1.1 keep-alive: nothing to install), each phase ``--seconds`` long:

1. **mix**: entity pages (HTML), the entities' RDF (Turtle, JSON-LD, by
   content negotiation) and the catalogue's questions on ``/sparql`` (their
   parameters bound in a ``VALUES`` block, entities drawn from the data);
2. **catalogue**: the questions alone on ``/sparql``, then the same on
   ``oxigraph serve``'s ``/query``: the ratio of throughputs and latencies;
3. **runaway**: the mix again while one client sends a cartesian product
   over and over, each stopped at the server's ``--query-timeout``: the
   others' p50/p99 beside phase 1's.

Prints requests per second, p50 and p99 per kind of request, and the errors
per kind (HTTP status or exception); writes JSON to
bench/results/serve-<size>-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

PY = sys.executable
AG = str(Path(PY).parent / "actorgraph")
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS = "application/sparql-results+json"


# ---- a small HTTP/1.1 client -------------------------------------------------------------


class Connection:
    """One keep-alive connection; reconnects when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, int]:
        """Status and body size of one exchange."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        found: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            found[name.strip().lower()] = value.strip()
        size = 0
        if method == "HEAD" or status in (204, 304):
            pass
        elif "content-length" in found:
            size = len(await self.reader.readexactly(int(found["content-length"])))
        elif found.get("transfer-encoding", "").lower() == "chunked":
            while True:
                chunk = int((await self.reader.readline()).split(b";")[0], 16)
                if chunk == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += len(await self.reader.readexactly(chunk))
                await self.reader.readline()
        else:
            size = len(await self.reader.read())
            await self.close()
        if found.get("connection", "").lower() == "close":
            await self.close()
        return status, size


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Tally:
    """Latencies and errors per kind of request."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def summary(self, seconds: float) -> dict[str, dict[str, Any]]:
        out = {}
        for kind in sorted(set(self.times) | set(self.errors)):
            times = sorted(self.times.get(kind, []))
            out[kind] = {
                "ok": len(times),
                "per_second": len(times) / seconds,
                "p50_ms": _quantile(times, 0.50) * 1000 if times else None,
                "p99_ms": _quantile(times, 0.99) * 1000 if times else None,
                "errors": dict(self.errors.get(kind, {})),
            }
        return out


def _quantile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank).

    >>> _quantile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.0
    """
    index = max(0, min(len(sorted_values) - 1, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def drive(
    host: str,
    port: int,
    calls: list[Call],
    clients: int,
    seconds: float,
    tally: Tally,
    *,
    seed: int = 0,
    timeout: float = 60.0,
) -> None:
    """``clients`` clients sending random ``calls`` for ``seconds``."""
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        conn = Connection(host, port)
        while time.monotonic() < deadline:
            call = rng.choice(calls)
            started = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(
                    conn.request(call.method, call.target, call.headers, call.body), timeout
                )
            except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
                tally.errors[call.kind][type(exc).__name__] += 1
                await conn.close()
                continue
            if status == 200:
                tally.times[call.kind].append(time.perf_counter() - started)
            else:
                tally.errors[call.kind][f"HTTP {status}"] += 1
        await conn.close()

    await asyncio.gather(*(client(n) for n in range(clients)))


# ---- the servers and the work --------------------------------------------------------------


def _get(url: str, accept: str = RESULTS, timeout: float = 600) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


def start_actorgraph(project: Path, port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [
        AG, "serve", "--port", str(port), "--timeout", str(args.query_timeout),
        "--workers", str(args.workers),
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=project, start_new_session=True)
    deadline = time.monotonic() + args.start_timeout  # the first start makes the project store
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=5)
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise SystemExit("actorgraph serve did not start") from None
            time.sleep(0.5)


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def sparql_rows(port: int, query: str) -> list[dict[str, str]]:
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    doc = json.loads(_get(url))
    return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]


def entities(port: int, count: int) -> dict[str, list[str]]:
    """Up to ``count`` IRIs of each kind of instance, asked of the server."""
    from actorgraph.namespaces import KINDS

    found: dict[str, list[str]] = {}
    for kind, namespace in KINDS.items():
        rows = sparql_rows(
            port,
            f'SELECT DISTINCT ?s WHERE {{ ?s a ?c FILTER STRSTARTS(STR(?s), "{namespace}") '
            f'FILTER(!CONTAINS(STR(?s), "#")) }} LIMIT {count}',
        )
        found[kind] = [r["s"] for r in rows]
    return found


def catalogue_queries(project: Path, found: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Each question of the catalogue with its parameters bound (an entity of
    the data for an entity parameter, else the example), several draws each."""
    from actorgraph.catalogue import catalogue
    from actorgraph.namespaces import KINDS
    from actorgraph.query import bind
    from actorgraph.store.sparql import add_values, uses_service

    rng = random.Random(27)
    out = []
    for query in catalogue(project / "queries"):
        if query.role == "violation" or uses_service(query.text):
            continue  # checks, and federated questions (no network in a benchmark)
        for _ in range(5):
            values = {}
            for param in query.params:
                if param.type in KINDS and found.get(param.type):
                    values[param.name] = rng.choice(found[param.type])
                elif param.default is None and param.example is not None:
                    values[param.name] = param.example
            try:
                out.append((query.name, add_values(query.text, bind(query, values))))
            except Exception as exc:  # a parameter the data cannot fill
                print(f"  skipped {query.name}: {exc}", file=sys.stderr)
                break
    return out


def mix(questions: list[tuple[str, str]], found: dict[str, list[str]]) -> list[Call]:
    """The phase 1 workload: a third pages, a third RDF, a third questions."""
    from actorgraph.namespaces import BASE

    iris = [iri for kind in ("organisation", "project", "resource") for iri in found.get(kind, [])]
    pages = [
        Call("entity html", "GET", "/" + iri[len(BASE) :], {"Accept": "text/html"}) for iri in iris
    ]
    rdf = [
        Call(f"entity {name}", "GET", "/" + iri[len(BASE) :], {"Accept": media})
        for iri in iris
        for name, media in (("turtle", "text/turtle"), ("json-ld", "application/ld+json"))
    ]
    asked = sparql_calls(questions, "/sparql")
    calls: list[Call] = []
    for group in (pages, rdf, asked):
        if group:
            calls += [group[i % len(group)] for i in range(300)]
    return calls


def sparql_calls(questions: list[tuple[str, str]], path: str) -> list[Call]:
    return [
        Call(
            "sparql",
            "POST",
            path,
            {"Content-Type": "application/sparql-query", "Accept": RESULTS},
            text.encode(),
        )
        for _, text in questions
    ]


def phase(
    name: str, port: int, calls: list[Call], clients: int, seconds: float, **extra: Any
) -> dict[str, Any]:
    print(f"… {name}: {clients} clients, {seconds:g} s", file=sys.stderr, flush=True)
    tally = Tally()
    started = time.monotonic()
    asyncio.run(drive("127.0.0.1", port, calls, clients, seconds, tally, **extra))
    took = time.monotonic() - started
    return {"seconds": took, "kinds": tally.summary(took)}


def runaway(port: int, calls: list[Call], clients: int, seconds: float) -> dict[str, Any]:
    """The mix, with one client sending the cartesian product meanwhile."""
    print(f"… runaway: {clients - 1} clients + 1 cartesian product, {seconds:g} s", file=sys.stderr)
    tally, slow = Tally(), Tally()
    slow_call = Call(
        "cartesian", "POST", "/sparql",
        {"Content-Type": "application/sparql-query", "Accept": RESULTS}, CARTESIAN.encode(),
    )  # fmt: skip

    async def both() -> None:
        await asyncio.gather(
            drive("127.0.0.1", port, calls, clients - 1, seconds, tally, seed=7),
            drive("127.0.0.1", port, [slow_call], 1, seconds, slow, seed=8),
        )

    started = time.monotonic()
    asyncio.run(both())
    took = time.monotonic() - started
    return {"seconds": took, "kinds": tally.summary(took), "cartesian": slow.summary(took)}


# ---- the report ------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(title: str, result: dict[str, Any]) -> list[str]:
    lines = [
        f"**{title}** ({result['seconds']:.0f} s)",
        "",
        "| kind | ok | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind, row in result["kinds"].items():
        errors = ", ".join(f"{k}: {v}" for k, v in row["errors"].items()) or "—"
        lines.append(
            f"| {kind} | {row['ok']} | {row['per_second']:.1f} | {_ms(row['p50_ms'])} | "
            f"{_ms(row['p99_ms'])} | {errors} |"
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="seed", help="seed (this project), 100k, 1M …")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="actorgraph serve --workers")
    parser.add_argument(
        "--query-timeout", type=float, default=5.0, help="actorgraph serve --timeout"
    )
    parser.add_argument("--start-timeout", type=float, default=1800.0)
    parser.add_argument("--entities", type=int, default=200, help="entities drawn per kind")
    args = parser.parse_args(argv)

    from conftest import free_port, start_server, stop_server
    from run import machine, project_copy

    from actorgraph.project import Project
    from actorgraph.store import open_store

    result: dict[str, Any] = {
        "size": args.size,
        "clients": args.clients,
        "workers": args.workers,
        "query_timeout": args.query_timeout,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }
    with tempfile.TemporaryDirectory(prefix="actorgraph-bench-serve-") as tmp:
        where = Path(tmp)
        if args.size == "seed":
            project = ROOT
        else:
            from generate import generate, parse_size

            data = HERE / "data" / args.size
            if not any(data.glob("*.ttl")):
                print(f"generating {args.size} triples into {data} …", file=sys.stderr)
                generate(parse_size(args.size), data)
            project = project_copy(data, where)
        ours_port = free_port()
        print(f"… starting actorgraph serve on {project}", file=sys.stderr, flush=True)
        ours = start_actorgraph(project, ours_port, args)
        theirs = None
        try:
            found = entities(ours_port, args.entities)
            questions = catalogue_queries(project, found)
            result["questions"] = sorted({name for name, _ in questions})
            dump = where / "graph.nq"
            dump.write_bytes(open_store(Project.discover(project)).dump())
            print("… starting oxigraph serve on the same N-Quads", file=sys.stderr, flush=True)
            theirs = start_server(where / "oxigraph", [dump], union=True)
            theirs_port = int(theirs.url.rsplit(":", 1)[1])

            calls = mix(questions, found)
            result["mix"] = phase("mix", ours_port, calls, args.clients, args.seconds)
            half = max(args.seconds / 2, 1.0)
            result["catalogue_ours"] = phase(
                "catalogue on actorgraph serve", ours_port, sparql_calls(questions, "/sparql"),
                args.clients, half,
            )  # fmt: skip
            result["catalogue_oxigraph"] = phase(
                "catalogue on oxigraph serve", theirs_port, sparql_calls(questions, "/query"),
                args.clients, half,
            )  # fmt: skip
            result["runaway"] = runaway(
                ours_port, calls, args.clients, max(half, args.query_timeout * 2 + 1)
            )
        finally:
            stop(ours)
            if theirs is not None:
                stop_server(theirs)

    ours_q = result["catalogue_ours"]["kinds"].get("sparql", {})
    theirs_q = result["catalogue_oxigraph"]["kinds"].get("sparql", {})
    lines = [
        f"Size {args.size}, {args.clients} clients, actorgraph serve --workers {args.workers} "
        f"--timeout {args.query_timeout:g}; {result['machine']['nproc']} cores, "
        f"{result['machine']['cpu']}, Python {result['machine']['python']}, "
        f"pyoxigraph {result['machine']['pyoxigraph']}",
        "",
        *table("1. mix (pages, RDF, catalogue on /sparql)", result["mix"]),
        *table("2a. catalogue on actorgraph serve /sparql", result["catalogue_ours"]),
        *table("2b. catalogue on oxigraph serve /query", result["catalogue_oxigraph"]),
    ]
    if ours_q.get("per_second") and theirs_q.get("per_second"):
        lines += [
            f"actorgraph / oxigraph: throughput {ours_q['per_second'] / theirs_q['per_second']:.2f}×, "
            f"p50 {ours_q['p50_ms'] / theirs_q['p50_ms']:.2f}×, "
            f"p99 {ours_q['p99_ms'] / theirs_q['p99_ms']:.2f}×",
            "",
        ]
    lines += table("3. mix while one client runs a cartesian product", result["runaway"])
    slow = result["runaway"]["cartesian"].get("cartesian", {})
    lines.append(
        f"cartesian product: {slow.get('errors', {})} (each stopped at {args.query_timeout:g} s)"
    )
    print("\n".join(lines))
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"serve-{args.size}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
