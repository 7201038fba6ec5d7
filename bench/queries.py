"""Time every catalogue query on one loaded store: the project's own graph
(seed data, gazetteer, links) or a generated benchmark graph.

    .venv/bin/python bench/queries.py                 # the project's graph
    .venv/bin/python bench/queries.py --size 1M       # bench/data/1M + the gazetteer
    .venv/bin/python bench/queries.py --only search stats --runs 9
    .venv/bin/python bench/queries.py --variant /tmp/rq   # also time /tmp/rq/<name>.rq
                                                          # and check it gives the same rows

Each query runs once to warm up, then ``--runs`` times; the table shows the
median and the slowest run in milliseconds, against the targets (50 ms on the
project's graph, 1 s at 1M). Federated queries (SERVICE) are skipped. No
network, nothing written.

>>> _fmt(0.0123)
'12.3'
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def time_query(store: Any, query: Any, runs: int) -> tuple[list[float], Any]:
    from actorgraph.query import bind
    from actorgraph.store.sparql import run_local

    values = {p.name: p.example for p in query.params if p.default is None and p.example}
    bindings = bind(query, values)
    answer = run_local(store, query.text, bindings)  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run_local(store, query.text, bindings)
        times.append(time.perf_counter() - t)
    return times, answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", help="a generated size (bench/data/<size>); default: the project")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="+", help="query names")
    ap.add_argument("--variant", type=Path, help="a folder of rewritten <name>.rq to compare")
    args = ap.parse_args(argv)

    from actorgraph.catalogue import Query, catalogue
    from actorgraph.project import Project
    from actorgraph.store.load import load_project
    from actorgraph.store.sparql import uses_service

    with tempfile.TemporaryDirectory(prefix="actorgraph-bench-q-") as tmp:
        if args.size:
            sys.path.insert(0, str(HERE))
            from run import project_copy

            project = Project(project_copy(HERE / "data" / args.size, Path(tmp)))
            target = 1.0
        else:
            project = Project(ROOT)
            target = 0.050
        t = time.perf_counter()
        store, _ = load_project(project)
        print(
            f"loaded {len(store)} quads in {time.perf_counter() - t:.1f} s "
            f"({args.size or 'project graph'}); target {_fmt(target)} ms per query\n"
        )
        print("| query | median ms | max ms | variant median ms | same rows | rows |")
        print("|---|---:|---:|---:|---|---:|")
        slow = []
        for query in catalogue(project.queries_dir):
            if (args.only and query.name not in args.only) or uses_service(query.text):
                continue
            times, answer = time_query(store, query, args.runs)
            median = statistics.median(times)
            cells = [query.name, _fmt(median), _fmt(max(times)), "", "", str(len(answer.rows))]
            other = args.variant / f"{query.name}.rq" if args.variant else None
            if other and other.is_file():
                vtimes, vanswer = time_query(store, Query.from_file(other), args.runs)
                cells[3] = _fmt(statistics.median(vtimes))
                cells[4] = "yes" if vanswer.row_keys() == answer.row_keys() else "**NO**"
            if median > target:
                slow.append(query.name)
            print("| " + " | ".join(cells) + " |", flush=True)
        print(f"\nover target: {', '.join(slow) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
