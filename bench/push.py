"""``make bench-push``: ``actorgraph push`` against each server's own loader,
side by side in one run, and the memory of a remote ``query --limit``.

``python bench/push.py --size 1M`` builds a throw-away project around the
generated data (bench/data/<size>, see generate.py; the real gazetteer in
data/reference), then, each step a process of its own under
``/usr/bin/time -v``:

- ``oxigraph load`` of the build's N-Quads into an empty store folder, and
  ``actorgraph push`` of the same project into an empty ``oxigraph serve``;
- Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run``) of the same
  N-Quads into an empty database, and ``actorgraph push`` into another empty
  Virtuoso through its Graph Store endpoint;
- ``actorgraph query … --store URL --limit 5`` on the loaded Oxigraph server:
  peak memory (the LIMIT goes to the server; nothing more is downloaded).

Each push is checked: per-graph triple counts on the server equal the
project's (the command exits 3 otherwise). Prints a Markdown table and
writes JSON to bench/results/push-<size>-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from run import machine, measure, project_copy  # noqa: E402

PY = sys.executable
AG = [str(Path(PY).parent / "actorgraph")]


def _secs(info: dict[str, Any]) -> str:
    return f"{info['wall']:.1f} s" if info.get("wall") is not None else "timeout"


def _ratio(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    if not ours.get("wall") or not theirs.get("wall"):
        return "–"
    return f"{ours['wall'] / theirs['wall']:.2f}×"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--skip-virtuoso", action="store_true")
    args = parser.parse_args(argv)

    # Fixtures of the test suite: the same servers, started the same way.
    from conftest import (
        start_server,
        start_virtuoso,
        stop_server,
        stop_virtuoso,
        virtuoso_sql,
        virtuoso_tools,
    )

    data = HERE / "data" / args.size
    if not data.is_dir():
        from generate import generate, parse_size

        generate(parse_size(args.size), data)
    result: dict[str, Any] = {"size": args.size, "machine": machine(), "steps": {}}
    steps = result["steps"]
    with tempfile.TemporaryDirectory(prefix="actorgraph-bench-push-") as tmp:
        where = Path(tmp)
        project = project_copy(data, where)
        built = measure([*AG, "build"], project, args.timeout)
        if built.get("exit") not in (0, 1):
            print(f"build failed: {built}", file=sys.stderr)
            return 1
        # Every named graph push sends (dist/actorgraph.nq leaves the gazetteer out).
        nquads = where / "all.nq"
        measure([*AG, "export", "--format", "nq", "-o", str(nquads)], project, args.timeout)
        quads = sum(1 for _ in nquads.open("rb"))
        result["quads"] = quads
        oxigraph = str(Path(PY).parent / "oxigraph")

        steps["oxigraph load"] = measure(
            [oxigraph, "load", "--location", str(where / "ox-load"), "--file", str(nquads)],
            project,
            args.timeout,
        )
        server = start_server(where / "ox-push", union=False)
        try:
            steps["push → oxigraph serve"] = measure(
                [*AG, "push", "--to", server.query_url, "--timeout", "600"],
                project,
                args.timeout,
            )
        finally:
            stop_server(server)
        server = start_server(where / "ox-bulk", union=False)
        try:
            steps["push --bulk → oxigraph serve"] = measure(
                [*AG, "push", "--to", server.query_url, "--bulk", "--timeout", "600"],
                project,
                args.timeout,
            )
            for name, text in {
                "query SELECT * --limit 5": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
            }.items():
                steps[name] = measure(
                    [*AG, "query", "--text", text, "--store", server.query_url, "--limit", "5"],
                    project,
                    args.timeout,
                )
            steps["query partners-of --limit 5"] = measure(
                [
                    *AG,
                    "query",
                    "partners-of",
                    "-p",
                    "org=la-27e-region",
                    "--store",
                    server.query_url,
                    "--limit",
                    "5",
                ],
                project,
                args.timeout,
            )
        finally:
            stop_server(server)

        tools = None if args.skip_virtuoso else virtuoso_tools()
        if tools is not None:
            folder = where / "vt-load"
            folder.mkdir()
            (folder / "empty.nq").write_bytes(b"")
            loaded = start_virtuoso(folder, folder / "empty.nq")
            try:
                (folder / "bulk.nq").symlink_to(nquads)
                t = time.perf_counter()
                virtuoso_sql(
                    tools[1],
                    loaded.sql_port,
                    f"ld_dir('{folder}', 'bulk.nq', 'urn:actorgraph:none'); "
                    "rdf_loader_run(); checkpoint;",
                )
                steps["Virtuoso bulk loader"] = {"wall": time.perf_counter() - t}
            finally:
                stop_virtuoso(loaded)
            folder = where / "vt-push"
            folder.mkdir()
            (folder / "empty.nq").write_bytes(b"")
            target = start_virtuoso(folder, folder / "empty.nq")
            try:
                virtuoso_sql(tools[1], target.sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
                steps["push → Virtuoso"] = measure(
                    [
                        *AG,
                        "push",
                        "--to",
                        target.query_url,
                        "--update-endpoint",
                        target.query_url,
                        "--graph-store",
                        target.url + "/sparql-graph-crud",
                        "--timeout",
                        "600",
                    ],
                    project,
                    args.timeout,
                )
            finally:
                stop_virtuoso(target)

    print(table(result))
    out = HERE / "results" / f"push-{args.size}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


def table(result: dict[str, Any]) -> str:
    steps = result["steps"]
    lines = [
        f"push at {result['size']} ({result.get('quads', 0):,} quads)",
        "",
        "| step | wall | peak memory | against |",
        "|---|---|---|---|",
    ]
    against = {
        "push → oxigraph serve": "oxigraph load",
        "push --bulk → oxigraph serve": "oxigraph load",
        "push → Virtuoso": "Virtuoso bulk loader",
    }
    for name, info in steps.items():
        peak = f"{info['peak_mb']:.0f} MB" if info.get("peak_mb") else "–"
        base = against.get(name)
        ratio = f"{_ratio(info, steps[base])} {base}" if base and base in steps else ""
        failed = f" (exit {info['exit']}: {info.get('error')})" if info.get("exit") else ""
        lines.append(f"| {name} | {_secs(info)}{failed} | {peak} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
