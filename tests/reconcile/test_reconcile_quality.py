"""How well names are reconciled, on the labelled set (``labelled.csv``, built
by ``make_labelled.py``; see README.md beside it):

- **precision of the automatic matches** (``match: true``): ≥ 99 %;
- **the right answer first**, where the row says enough to know it: ≥ 95 %;
- **homonymous communes never matched** without a property telling them apart;
- names that are nobody's never matched.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from actorgraph.reconcile import Candidate, Query, Reconciler

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled.csv"


@dataclass(frozen=True)
class Scored:
    row: dict[str, str]
    best: Candidate | None

    @property
    def matched(self) -> bool:
        return self.best is not None and self.best.match

    @property
    def right(self) -> bool:
        return self.best is not None and self.best.id == self.row["expected"]


def rows() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def scored(reconciler: Reconciler) -> list[Scored]:
    out = []
    for row in rows():
        props = tuple((k, (row[k],)) for k in ("departement", "inseeCode", "siren") if row[k])
        types = tuple(reconciler.types.resolve(t) for t in row["type"].split())
        found = reconciler.reconcile(Query(row["query"], types, 5, props))
        out.append(Scored(row, found[0] if found else None))
    return out


def figures(scored: list[Scored]) -> dict[str, float]:
    matched = [s for s in scored if s.matched]
    knowable = [s for s in scored if s.row["expected"] and s.row["determinable"] == "true"]
    return {
        "rows": len(scored),
        "matched": len(matched),
        "precision": sum(s.right for s in matched) / len(matched),
        "first": sum(s.right for s in knowable) / len(knowable),
        "knowable": len(knowable),
        "recall": sum(s.matched and s.right for s in knowable) / len(knowable),
    }


def test_the_set_is_large_and_varied() -> None:
    found = rows()
    assert len(found) >= 300
    kinds = Counter(r["category"].split(":")[0] for r in found)
    for kind in ("commune", "homonym", "epci", "département", "région", "directory", "nobody"):
        assert kinds[kind] >= 10, kind


def test_automatic_matches_are_right(scored: list[Scored]) -> None:
    found = figures(scored)
    wrong = [
        (s.row["query"], s.best.name if s.best else None)
        for s in scored
        if s.matched and not s.right
    ]
    assert found["precision"] >= 0.99, wrong


def test_the_right_answer_comes_first(scored: list[Scored]) -> None:
    found = figures(scored)
    missed = [
        s.row["query"]
        for s in scored
        if s.row["expected"] and s.row["determinable"] == "true" and not s.right
    ]
    assert found["first"] >= 0.95, missed


def test_homonyms_are_never_matched_without_a_property(
    scored: list[Scored], reconciler: Reconciler
) -> None:
    homonyms = [s for s in scored if s.row["category"] == "homonym: no property"]
    assert len(homonyms) >= 20
    assert not [s.row["query"] for s in homonyms if s.matched]
    # ... and they come back as candidates with their département in their names.
    for s in homonyms:
        assert s.best is not None
        if reconciler.body(s.best.entity) == "commune":
            assert s.best.name.endswith(")"), s.best.name


def test_nobody_is_never_matched(scored: list[Scored]) -> None:
    assert not [s.row["query"] for s in scored if s.row["category"] == "nobody" and s.matched]


def test_the_figures_in_the_docs_are_these(scored: list[Scored]) -> None:
    found = figures(scored)
    line = (
        f"{found['rows']} names; {found['matched']} matched automatically, "
        f"{found['precision']:.1%} of them rightly; the right answer first for "
        f"{found['first']:.1%} of the {found['knowable']} names that say enough"
    )
    root = HERE.parents[1]
    for doc in ("README.md", "docs/reconcile.md"):
        assert line in (root / doc).read_text(encoding="utf-8"), f"{doc} should say: {line}"


def test_the_labelled_set_is_what_its_script_makes() -> None:
    spec = importlib.util.spec_from_file_location("make_labelled", HERE / "make_labelled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.render(module.build()) == LABELLED.read_text(encoding="utf-8")
