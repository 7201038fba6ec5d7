"""``make bench``: each step of the pipeline timed as a whole process, against
the same step done the plain way (rdflib ``Graph.parse``, rdflib SPARQL,
pySHACL with its defaults, rdflib serialisers).

``python bench/run.py --size 100k --runs 3`` generates the data when missing
(bench/data/<size>, see generate.py), builds a throw-away copy of the project
around it (ontology, queries, the real gazetteer in data/reference, the
generated sources as data/graph), then runs each step in its own process
under ``/usr/bin/time -v``: the wall time of the process, its peak memory,
and the time of the step itself, measured inside the worker after loading
(``inner``). Ours: the median of ``--runs`` runs; the plain way: one run,
stopped after ``--timeout`` seconds, and the plain build after
``--build-limit`` (20) times our build's time: a plain build stopped there
shows "> 20×", a lower bound, without waiting the hours it takes at 1M
(``--build-limit 0`` waits up to ``--timeout``). ``--steps build`` runs only
some steps. Prints a Markdown table and writes JSON to
bench/results/<size>-<timestamp>.json.

>>> _median([3.0, 1.0, 2.0])
2.0
>>> _ratio(10.0, 2.0)
'5.0×'
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable

# ---------------------------------------------------------------- workers
# Each worker runs in a fresh process (cwd = the project copy) and prints one
# JSON line: {"inner": seconds of the step itself, ...}.


def _project() -> Any:
    from actorgraph.project import Project

    return Project(Path.cwd())


def _load() -> Any:
    from actorgraph.store.load import load_project

    store, _ = load_project(_project())
    return store


def _rdflib_graph(files: list[Path]) -> Any:
    from rdflib import Graph

    g = Graph()
    for f in files:
        fmt = "nt" if f.name.endswith((".nt", ".nt.gz")) else "turtle"
        if f.name.endswith(".gz"):
            import gzip

            g.parse(data=gzip.decompress(f.read_bytes()), format=fmt)
        else:
            g.parse(f, format=fmt)
    return g


def _sources(kept_only: bool = True) -> list[Path]:
    return [s.path for s in _project().sources() if not (kept_only and s.group == "reference")]


def worker(step: str, arg: str | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if step == "load":
        store = _load()
        out["triples"] = len(store)
    elif step == "load-pyoxigraph":
        import pyoxigraph as ox

        from actorgraph.store import rdf_format, read_source

        st = ox.Store()
        for s in _project().sources():
            st.load(
                read_source(s.path), format=rdf_format(s.path.name), to_graph=ox.NamedNode(s.graph)
            )
    elif step == "load-rdflib":
        _rdflib_graph(_sources(kept_only=False))
    elif step == "validate":
        from actorgraph.validation import validate_store

        store = _load()
        t0 = time.perf_counter()
        p = _project()
        report = validate_store(store, p.shapes_files, p.queries_dir, engine=arg or "fast")
        out.update(results=len(report.results), engine=report.engine)
    elif step == "validate-pyshacl":
        import pyshacl
        from rdflib import Graph

        data = _rdflib_graph(_sources())
        shapes = Graph()
        for f in _project().shapes_files:
            shapes.parse(f, format="turtle")
        t0 = time.perf_counter()
        pyshacl.validate(data, shacl_graph=shapes)
    elif step == "queries":
        from actorgraph.catalogue import catalogue
        from actorgraph.query import bind
        from actorgraph.store.sparql import run_local, uses_service

        store = _load()
        times = {}
        for q in catalogue(_project().queries_dir):
            if uses_service(q.text):  # federated (Wikidata): no network in a benchmark
                continue
            values = {p.name: p.example for p in q.params if p.default is None and p.example}
            t = time.perf_counter()
            run_local(store, q.text, bind(q, values))
            times[q.name] = time.perf_counter() - t
        out["queries"] = times
        t0 = time.perf_counter() - sum(times.values())
    elif step == "queries-rdflib":
        from actorgraph.catalogue import catalogue
        from actorgraph.query import bind
        from actorgraph.store.sparql import uses_service

        g = _rdflib_graph(_sources(kept_only=False))
        times: dict[str, Any] = {}
        for q in catalogue(_project().queries_dir):
            if uses_service(q.text):
                continue
            values = {p.name: p.example for p in q.params if p.default is None and p.example}
            init = {k: _to_rdflib(v) for k, v in bind(q, values).items()}
            t = time.perf_counter()
            try:
                list(g.query(q.text, initBindings=init))
            except Exception as exc:  # rdflib may not support what Oxigraph does
                times[q.name] = f"error: {type(exc).__name__}"
                continue
            times[q.name] = time.perf_counter() - t
        out["queries"] = times
        t0 = time.perf_counter() - sum(v for v in times.values() if isinstance(v, float))
    elif step == "export":
        store = _load()
        t0 = time.perf_counter()
        if arg == "jsonld":
            from actorgraph.rdf import jsonld

            data = jsonld.compacted(store, jsonld.load_context(_project()), None)
        else:
            from actorgraph.rdf import serialize_graphs

            data = serialize_graphs(store, arg or "nt")
        out["bytes"] = len(data)
    elif step == "export-pyoxigraph":
        import pyoxigraph as ox

        store = _load()
        t0 = time.perf_counter()
        fmt = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}[arg or "nt"]
        out["bytes"] = len(ox.serialize((q.triple for q in store.ox), format=fmt) or b"")
    elif step == "export-rdflib":
        g = _rdflib_graph(_sources(kept_only=False))
        t0 = time.perf_counter()
        fmt = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld"}[arg or "nt"]
        out["bytes"] = len(g.serialize(format=fmt, encoding="utf-8"))
    elif step == "build-plain":
        # What ``actorgraph build`` does, the plain way, and less of it: parse
        # every source (the gazetteer into a graph of its own, as ours loads it
        # but leaves it out of dist/), validate the rest with pySHACL, write it
        # in three formats (ours writes six, and reports).
        import pyshacl
        from rdflib import Graph

        _rdflib_graph([f for f in _sources(kept_only=False) if f not in _sources()])
        data = _rdflib_graph(_sources())
        shapes = Graph()
        for f in _project().shapes_files:
            shapes.parse(f, format="turtle")
        pyshacl.validate(data, shacl_graph=shapes)
        for fmt in ("turtle", "nt", "json-ld"):
            data.serialize(format=fmt, encoding="utf-8")
    elif step == "edit-then-query":
        # One data file changes (a comment line: new bytes, same triples), then
        # a fresh process asks a question: it refreshes that graph and answers.
        first = sorted((Path.cwd() / "data" / "graph").glob("*.ttl"))[0]
        with first.open("a", encoding="utf-8") as handle:
            handle.write(f"# edited {time.time_ns()}\n")
        ag = str(Path(PY).parent / "actorgraph")
        t0 = time.perf_counter()
        done = subprocess.run([ag, *QUESTION], capture_output=True, text=True, check=True)
        out["refreshed"] = "refreshed" in done.stderr
    else:
        raise SystemExit(f"unknown worker step {step!r}")
    out["inner"] = time.perf_counter() - t0
    return out


def _to_rdflib(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    return Literal(
        term.value, lang=term.language, datatype=None if term.language else term.datatype.value
    )


# ---------------------------------------------------------------- runner

#: The question the store steps ask: one organisation's partners, as CSV.
QUESTION = ["query", "partners-of", "-p", "org=org-1", "-f", "csv"]


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _ratio(plain: float | None, ours: float | None) -> str:
    if not plain or not ours:
        return "—"
    return f"{plain / ours:.1f}×"


def measure(cmd: list[str], cwd: Path, timeout: float) -> dict[str, Any]:
    """One process under /usr/bin/time -v: wall seconds, peak MB, and the worker's JSON."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    # A session of its own, so that a timeout stops the step and not only
    # /usr/bin/time (its child would go on using the CPU of later steps).
    proc = subprocess.Popen(
        [*timer, *cmd],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"timeout": timeout, "wall": None, "peak_mb": None}
    wall = time.perf_counter() - t
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    info: dict[str, Any] = {
        "wall": wall,
        "peak_mb": int(peak.group(1)) / 1024 if peak else None,
        "exit": proc.returncode,
    }
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            info.update(json.loads(line))
            break
    if proc.returncode not in (0, 1):
        info["error"] = stderr.strip().splitlines()[-1:] if stderr.strip() else ["?"]
    return info


def repeat(cmd: list[str], cwd: Path, runs: int, timeout: float) -> dict[str, Any]:
    got = [measure(cmd, cwd, timeout) for _ in range(runs)]
    ok = [g for g in got if g.get("wall") is not None]
    if not ok:
        return got[0]
    best = dict(ok[len(ok) // 2])
    best["wall"] = _median([g["wall"] for g in ok])
    if all("inner" in g for g in ok):
        best["inner"] = _median([g["inner"] for g in ok])
    best["peak_mb"] = max(g["peak_mb"] or 0 for g in ok)
    best["runs"] = len(ok)
    return best


def project_copy(data: Path, where: Path) -> Path:
    """A project folder whose data/graph is the generated data."""
    copy = where / "project"
    (copy / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", copy / "ontology")
    shutil.copytree(ROOT / "queries", copy / "queries")
    if (ROOT / "data" / "reference").is_dir():
        (copy / "data" / "reference").symlink_to(ROOT / "data" / "reference")
    (copy / "data" / "links").mkdir()
    # A copy, not a link: the store steps edit a file of it.
    shutil.copytree(data.resolve(), copy / "data" / "graph")
    return copy


def sheets(where: Path, n: int) -> list[Path]:
    """``n`` generated actor sheets for ingest (``gen_sheets``): ``n`` different
    actors, where copies of the one seed sheet would all name the same actor."""
    from gen_sheets import write_sheets

    return write_sheets(where / "sheets", n)


def machine() -> dict[str, Any]:
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        m = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = m.group(1).strip() if m else cpu
    mem = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        m = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        mem = f"{int(m.group(1)) / 1024 / 1024:.0f} GB" if m else mem
    versions = {}
    from importlib.metadata import version

    for pkg in ("pyoxigraph", "rdflib", "pyshacl", "PyLD"):
        try:
            versions[pkg] = version(pkg)
        except Exception:
            versions[pkg] = "?"
    return {
        "nproc": os.cpu_count(),
        "ram": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        **versions,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="100k", help="10k, 100k, 1M …")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds, per plain-way run")
    ap.add_argument("--skip-plain", action="store_true", help="only our steps")
    ap.add_argument(
        "--build-limit",
        type=float,
        default=20.0,
        help="stop the plain build after this many times our build's time, which proves "
        "'at least that many times faster' without waiting hours (0: --timeout only)",
    )
    ap.add_argument(
        "--steps",
        nargs="+",
        help="only these steps (load validate queries export ingest create-unknown link build "
        "store network); store and network make the project store first when build is not run",
    )
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1] if len(args.worker) > 1 else None)))
        return 0

    sys.path.insert(0, str(HERE))
    import generate

    data = HERE / "data" / args.size
    if not any(data.glob("*.ttl")):
        print(f"generating {args.size} triples into {data} …", file=sys.stderr)
        generate.generate(generate.parse_size(args.size), data)
    ag = str(Path(PY).parent / "actorgraph")
    me = [PY, str(Path(__file__).resolve()), "--worker"]
    rows: list[dict[str, Any]] = []

    with tempfile.TemporaryDirectory(prefix="actorgraph-bench-") as tmp:
        copy = project_copy(data, Path(tmp))
        ingest_files = sheets(Path(tmp), 1000)

        def wanted(name: str) -> bool:
            return not args.steps or name.split()[-1] in args.steps or name in args.steps

        def step(
            name: str,
            ours: list[str] | None,
            plain: list[str] | None,
            target: str = "",
            limit: float = 0.0,
        ) -> None:
            print(f"… {name}", file=sys.stderr, flush=True)
            row: dict[str, Any] = {"step": name, "target": target}
            if ours:
                row["ours"] = repeat(ours, copy, args.runs, args.timeout)
            if plain and not args.skip_plain:
                timeout = args.timeout
                if limit and row.get("ours", {}).get("wall"):
                    timeout = min(timeout, limit * row["ours"]["wall"])
                    row["limit"] = limit
                row["plain"] = repeat(plain, copy, 1, timeout)
            rows.append(row)

        if wanted("load"):
            step("load", [*me, "load"], [*me, "load-rdflib"])
            rows[-1]["pyoxigraph"] = repeat([*me, "load-pyoxigraph"], copy, args.runs, args.timeout)
        if wanted("validate"):
            step(
                "validate (fast engine)",
                [*me, "validate", "fast"],
                [*me, "validate-pyshacl"],
                "< 15 s",
            )
        if wanted("queries"):
            step("catalogue queries", [*me, "queries"], [*me, "queries-rdflib"], "each < 1 s")
        for fmt in ("ttl", "nt", "jsonld") if wanted("export") else ():
            step(f"export {fmt}", [*me, "export", fmt], [*me, "export-rdflib", fmt])
            if fmt != "jsonld":
                rows[-1]["pyoxigraph"] = repeat(
                    [*me, "export-pyoxigraph", fmt], copy, args.runs, args.timeout
                )
        if ingest_files and wanted("ingest"):
            out_dir = Path(tmp) / "ingested"
            step(
                "ingest 1,000 sheets",
                [ag, "ingest", "--data-dir", str(out_dir), "--retrieved", "2026-11-27",
                 *map(str, ingest_files)],
                None,
            )  # fmt: skip
        if wanted("create-unknown"):
            import create_unknown

            partners = create_unknown.write_sheets(Path(tmp) / "partners", 10_000)
            # A dry run: each run then starts from the same graph (a real one
            # would find the partners created by the run before).
            step(
                "ingest 10,000 new partners, create-unknown",
                [ag, "ingest", "-q", "--dry-run", "--create-unknown", "--retrieved", "2026-11-27",
                 *map(str, partners)],
                None,
                "< 30 s",
            )  # fmt: skip
        if wanted("link"):
            step("link (gazetteer, offline)", [ag, "link", "--offline", "--refresh"], None)
        if wanted("build"):
            out_dist = Path(tmp) / "dist"
            step(
                "whole build",
                [ag, "build", "-q", "--out", str(out_dist)],
                [*me, "build-plain"],
                "≤ 35 s with the project store, < 2 GB; ≥ 20× plain",
                limit=args.build_limit,
            )

        if wanted("store"):
            if not wanted("build"):  # the first question makes the project store
                measure([ag, *QUESTION], copy, args.timeout)
            step("query partners-of (process)", [ag, *QUESTION], None, "≤ 0.5 s, ≤ 150 MB")
            step("actorgraph --help (process)", [ag, "--help"], None, "≤ 0.25 s")
            step(
                "edit one data file, then query",
                [*me, "edit-then-query"],
                None,
                "≤ 2 s",
            )

        if wanted("network"):
            if not wanted("build") and not wanted("store"):
                measure([ag, *QUESTION], copy, args.timeout)  # makes the project store
            drawn = Path(tmp) / "network"
            step(
                "network: measures, RDF, --top 300 picture",
                [ag, "network", "--rdf", "--top", "300", "-q",
                 "-o", str(drawn / "top.svg"), "-o", str(drawn / "top.png")],
                None,
                "≤ 30 s, < 2 GB",
            )  # fmt: skip

    result = {
        "size": args.size,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "steps": rows,
    }
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"{args.size}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nJSON: {path}")
    return 0


def _secs(info: dict[str, Any] | None, key: str = "wall") -> str:
    if not info:
        return "—"
    if info.get("timeout"):
        return f"> {info['timeout']:.0f} s"
    if info.get("error"):
        return "error"
    value = info.get(key)
    return "—" if value is None else f"{value:.2f} s"


def table(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Size {result['size']} — {m['nproc']} cores, {m['ram']} RAM, {m['cpu']}; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}, pyshacl {m['pyshacl']}",
        "",
        "| step | ours: process | ours: step | peak MB | plain: process | plain: step | plain peak MB | speed-up (step) | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["steps"]:
        ours, plain = row.get("ours"), row.get("plain")
        speed = _ratio((plain or {}).get("inner"), (ours or {}).get("inner"))
        if ours and plain and not ours.get("inner") and ours.get("wall"):
            speed = _ratio(plain.get("wall"), ours["wall"])  # no inner time: whole processes
        if plain and plain.get("timeout"):
            base = (ours or {}).get("inner") or (ours or {}).get("wall")
            speed = f"> {plain['timeout'] / base:.0f}×" if base else "—"
            if row.get("limit"):
                speed += f" (plain build stopped after {plain['timeout']:.0f} s)"
        lines.append(
            f"| {row['step']} | {_secs(ours)} | {_secs(ours, 'inner')} | "
            f"{(ours or {}).get('peak_mb') or 0:.0f} | {_secs(plain)} | {_secs(plain, 'inner')} | "
            f"{(plain or {}).get('peak_mb') or 0:.0f} | {speed} | {row['target']} |"
        )
        if row.get("pyoxigraph"):
            ox_ = row["pyoxigraph"]
            lines.append(
                f"| ↳ pyoxigraph alone | {_secs(ox_)} | {_secs(ox_, 'inner')} | "
                f"{ox_.get('peak_mb') or 0:.0f} | | | | ours/pyoxigraph "
                f"{(ours or {}).get('inner', 0) / max(ox_.get('inner') or 1e-9, 1e-9):.2f}× | "
                f"{'≤ 1.5×' if row['step'] == 'load' else '≤ 2×'} |"
            )
        queries = (ours or {}).get("queries")
        if queries:
            slow = sorted(((t, n) for n, t in queries.items()), reverse=True)[:3]
            lines.append(
                "| ↳ slowest queries | "
                + ", ".join(f"{n} {t:.2f} s" for t, n in slow)
                + " | | | | | | | |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
