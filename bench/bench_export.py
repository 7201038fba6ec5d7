"""Export speed against pyoxigraph's own serialisers on the same data.

``python bench/bench_export.py --data bench/data/1M`` loads the ontology,
vocabularies and the generated data (``bench/generate.py``) and prints, per
format, the seconds actorgraph's deterministic export takes, the seconds
pyoxigraph takes to serialise the same triples (unsorted), and the ratio.
Targets: N-Triples and Turtle within 2x, JSON-LD within 5x.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from actorgraph.project import Project
from actorgraph.rdf import jsonld, serialize_graphs
from actorgraph.store.load import load_project

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder of generated Turtle")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-jsonld", action="store_true", help="leave JSON-LD out")
    parser.add_argument(
        "--formats", default="nt,ttl,nq,trig,jsonld", help="comma-separated formats to measure"
    )
    args = parser.parse_args()
    project = Project(ROOT, args.data.resolve())
    store, _ = load_project(project, groups=("ontology", "vocabulary", "data"))
    graphs = store.graphs()
    print(f"{len(store):,} quads in {len(graphs)} graphs")

    def ox_triples(fmt: ox.RdfFormat) -> Callable[[], object]:
        return lambda: ox.serialize((q.triple for q in store.ox), format=fmt)

    def ox_quads(fmt: ox.RdfFormat) -> Callable[[], object]:
        return lambda: ox.serialize(store.ox, format=fmt)

    cases: list[tuple[str, Callable[[], object], Callable[[], object], float]] = [
        ("nt", lambda: serialize_graphs(store, "nt"), ox_triples(ox.RdfFormat.N_TRIPLES), 2),
        ("ttl", lambda: serialize_graphs(store, "ttl"), ox_triples(ox.RdfFormat.TURTLE), 2),
        ("nq", lambda: serialize_graphs(store, "nq"), ox_quads(ox.RdfFormat.N_QUADS), 2),
        ("trig", lambda: serialize_graphs(store, "trig"), ox_quads(ox.RdfFormat.TRIG), 2),
    ]
    if not args.skip_jsonld:
        context = jsonld.load_context(project)
        cases.append(
            (
                "jsonld",
                lambda: jsonld.compacted(store, context),
                ox_triples(ox.RdfFormat.JSON_LD),
                5,
            )
        )
    print(f"{'format':<8}{'actorgraph s':>14}{'pyoxigraph s':>14}{'ratio':>8}{'target':>8}")
    wanted = set(args.formats.split(","))
    for name, ours, theirs, target in cases:
        if name not in wanted:
            continue
        a, b = best(ours, args.repeat), best(theirs, args.repeat)
        verdict = "ok" if a / b <= target else "SLOW"
        print(f"{name:<8}{a:>14.2f}{b:>14.2f}{a / b:>8.2f}{f'{target:g}x':>8} {verdict}")


if __name__ == "__main__":
    main()
