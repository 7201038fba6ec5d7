"""The catalogue on Virtuoso 7 open source (``virtuoso-t`` on 127.0.0.1, the
project bulk-loaded from N-Quads): the same answers as the embedded store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actorgraph.catalogue import Query
from actorgraph.project import Project
from actorgraph.query import bind
from actorgraph.store import EmbeddedStore
from actorgraph.store.remote import RemoteStore
from actorgraph.store.sparql import run_local

pytestmark = pytest.mark.server


def test_the_dataset_is_the_projects_graphs_without_virtuosos_own(
    store: EmbeddedStore, virtuoso_server: Any
) -> None:
    remote = RemoteStore(virtuoso_server.query_url)
    assert remote.graphs() == sorted(store.graphs())
    for graph in remote.graphs():
        assert remote.count(graph) == store.count(graph), graph


ROOT = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "queries" / "manifest.json").read_text(encoding="utf-8")
)["cases"]

#: Cases Virtuoso 7.2 does not answer yet. search and the duplicate check fold
#: accents with chained REPLACE calls: Virtuoso applies a regex with non-ASCII
#: characters to a REPLACE or LCASE result as if it held no such character
#: (and STR() turns them into "?"); with an accented word the search query
#: also overflows its compiler ("SQ199 code vector exceeded"), and the
#: duplicate check's HAVING is refused ("SQ200 aggregate not allowed").
#: (The injection case passes: no row on either side.)
NOT_YET = {
    "search(text=democratie)",
    "search(text=TRANSITION  démocratique)",
    "duplicate-organisation-violation()",
}


def case_id(case: dict[str, Any]) -> str:
    return case["query"] + "(" + ",".join(f"{k}={v}" for k, v in case["params"].items()) + ")"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            marks=[pytest.mark.xfail(strict=True, reason="not portable to Virtuoso 7 yet")]
            if case_id(c) in NOT_YET
            else [],
        )
        for c in CASES
    ],
    ids=case_id,
)
def test_virtuoso_rows_equal_local_rows(
    project: Project, store: EmbeddedStore, virtuoso_server: Any, case: dict[str, Any]
) -> None:
    query = Query.from_file(project.queries_dir / f"{case['query']}.rq")
    bindings = bind(query, case["params"])
    local = run_local(store, query.text, bindings)
    remote = RemoteStore(virtuoso_server.query_url).answer(query.text, bindings)
    assert remote.variables == local.variables
    assert remote.row_keys() == local.row_keys()
