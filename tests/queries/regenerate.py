"""Rewrite the expected answers of tests/queries/manifest.json from the current graph.

Run deliberately after a change to the data or the queries, then review the
diff: the expected files are the test's oracle.

    .venv/bin/python tests/queries/regenerate.py
"""

from __future__ import annotations

import json
from pathlib import Path

from actorgraph.catalogue import Query
from actorgraph.project import Project
from actorgraph.query import bind, render
from actorgraph.store.load import load_project
from actorgraph.store.sparql import run_local

HERE = Path(__file__).resolve().parent


def main() -> None:
    project = Project(HERE.parent.parent)
    store, _ = load_project(project)
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    for case in manifest["cases"]:
        expected = case["expected"]
        if expected is None or expected == "empty.srj":
            continue
        query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
        answer = run_local(store, query.text, bind(query, case["params"]))
        answer.rows.sort(key=lambda row: sorted((k, str(v)) for k, v in row.items()))
        data = json.loads(render(answer, "json"))
        (HERE / "expected" / expected).write_text(
            json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"{expected}: {len(answer.rows)} rows")


if __name__ == "__main__":
    main()
