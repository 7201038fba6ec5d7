"""Time the reconciliation service as OpenRefine meets it: ``actorgraph serve``
started in its own process on loopback, the time until it answers a
reconciliation query (its index ready), then 1,000 queries sent through the
HTTP API in batches of 10 by a real HTTP client (httpx, one kept-alive
connection, one batch after the other).

    .venv/bin/python bench/reconcile.py            # cold start, then warm start
    .venv/bin/python bench/reconcile.py --queries 5000 --batch 50

*Cold*: no index kept on disk (``.actorgraph/reconcile/`` emptied first), so
the server builds it; *warm*: the server reads the index the cold run kept.
The queries are the labelled set's names (tests/reconcile/labelled.csv, with
their properties), in order, repeated up to ``--queries``. Targets: index
ready within 3 s of the start, 1,000 queries within 2 s. The project store
is made first if missing (not timed). Nothing else is written.

>>> batches([{"query": "a"}] * 25, 10)[2]
{'q0': {'query': 'a'}, 'q1': {'query': 'a'}, 'q2': {'query': 'a'}, 'q3': {'query': 'a'}, 'q4': {'query': 'a'}}
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
READY_TARGET, QUERIES_TARGET = 3.0, 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def labelled_queries() -> list[dict[str, Any]]:
    out = []
    with (ROOT / "tests" / "reconcile" / "labelled.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            query: dict[str, Any] = {}
            if row["query"]:
                query["query"] = row["query"]
            props = [
                {"pid": k, "v": row[k]} for k in ("departement", "inseeCode", "siren") if row[k]
            ]
            if props:
                query["properties"] = props
            if query:
                out.append(query)
    return out


def batches(queries: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    return [
        {f"q{n}": q for n, q in enumerate(queries[start : start + size])}
        for start in range(0, len(queries), size)
    ]


def start_server(port: int) -> subprocess.Popen[bytes]:
    code = "from actorgraph.cli import main; main()"
    args = [sys.executable, "-c", code, "-C", str(ROOT), "serve", "--port", str(port)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def time_to_ready(http: Any, url: str, started: float, proc: subprocess.Popen[bytes]) -> float:
    """Seconds from ``started`` until the server answers a reconciliation query."""
    probe = {"queries": json.dumps({"q0": {"query": "Mairie de Paris"}})}
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"the server stopped: {err[-2000:]}")
        try:
            response = http.post(url + "reconcile", data=probe, timeout=30)
            if response.status_code == 200:
                return time.perf_counter() - started
        except Exception:  # not listening yet
            pass
        if time.perf_counter() - started > 120:
            raise SystemExit("the server was not ready within 120 s")
        time.sleep(0.02)


def run_once(label: str, queries: list[dict[str, Any]], size: int) -> dict[str, Any]:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    proc = start_server(port)
    try:
        with httpx.Client() as http:
            ready = time_to_ready(http, url, started, proc)
            work = batches(queries, size)
            latencies = []
            matched = 0
            begin = time.perf_counter()
            for batch in work:
                t = time.perf_counter()
                response = http.post(url + "reconcile", data={"queries": json.dumps(batch)})
                latencies.append(time.perf_counter() - t)
                response.raise_for_status()
                results = response.json()
                matched += sum(
                    1 for r in results.values() if r["result"] and r["result"][0]["match"]
                )
            total = time.perf_counter() - begin
    finally:
        stop_server(proc)
    return {
        "run": label,
        "ready_s": round(ready, 3),
        "queries": len(queries),
        "batch": size,
        "total_s": round(total, 3),
        "per_query_ms": round(total / len(queries) * 1000, 3),
        "batch_median_ms": round(statistics.median(latencies) * 1000, 2),
        "batch_p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "matched": matched,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--warm-only", action="store_true", help="Keep the index on disk.")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from actorgraph.project import Project
    from actorgraph.reconcile.cache import CACHE_DIR
    from actorgraph.store import open_store

    project = Project(ROOT)
    open_store(project)  # the project store, made now if missing: not what is timed
    pool = labelled_queries()
    queries = [pool[n % len(pool)] for n in range(args.queries)]
    runs = []
    if not args.warm_only:
        shutil.rmtree(ROOT / CACHE_DIR, ignore_errors=True)
        runs.append(run_once("cold (index built)", queries, args.batch))
        deadline = time.monotonic() + 60  # the cold server keeps its index after answering
        while not list((ROOT / CACHE_DIR).glob("index-*.pickle")) and time.monotonic() < deadline:
            time.sleep(0.1)
    runs.append(run_once("warm (index read)", queries, args.batch))

    print(
        f"reconcile bench: {args.queries} queries in batches of {args.batch}, "
        f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
    )
    print(
        "| start | index ready (s) | queries | total (s) | per query (ms) | "
        "batch median / p95 (ms) | matched |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r['run']} | {r['ready_s']:.2f} | {r['queries']} | {r['total_s']:.2f} | "
            f"{r['per_query_ms']:.2f} | {r['batch_median_ms']:.1f} / {r['batch_p95_ms']:.1f} | "
            f"{r['matched']} |"
        )
    ok = all(r["ready_s"] <= READY_TARGET for r in runs) and all(
        r["total_s"] * 1000 / r["queries"] <= QUERIES_TARGET for r in runs
    )
    print(
        f"targets: index ready ≤ {READY_TARGET:.0f} s, 1,000 queries ≤ {QUERIES_TARGET:.0f} s: "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
