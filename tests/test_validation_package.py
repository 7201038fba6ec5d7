"""The validation package: its engine registry and its modules' layering."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from actorgraph.errors import ActorGraphError, LoadError
from actorgraph.store import EmbeddedStore
from actorgraph.validation import ENGINES, REGISTRY, run_engine
from actorgraph.validation.compiler import Unsupported
from actorgraph.validation.shapes import load_shapes

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "actorgraph" / "validation"


def test_engines_are_listed_default_first() -> None:
    assert ENGINES == ("fast", "pyshacl")
    assert tuple(REGISTRY) == ENGINES


def test_unknown_engine_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unknown validation engine 'sparql'") as info:
        run_engine("sparql", EmbeddedStore(), load_shapes([_closed_shape_file(tmp_path)]))
    assert info.value.field == "--engine"


def test_a_declined_shape_is_an_internal_hand_over_not_an_error(tmp_path: Path) -> None:
    assert not issubclass(Unsupported, ActorGraphError)
    store = EmbeddedStore()
    store.load_bytes(b'<http://e/a> a <http://e/C> ; <http://e/o> "x" .', "ttl", graph="urn:g")
    shapes = load_shapes([_closed_shape_file(tmp_path)])
    with pytest.raises(Unsupported):
        REGISTRY["fast"](store, shapes, None)
    results, engine = run_engine("fast", store, shapes)
    assert engine.startswith("pyshacl (fast engine: ") and "closed" in engine
    assert {r.component.rsplit("#", 1)[-1] for r in results} == {"ClosedConstraintComponent"}
    results, engine = run_engine("pyshacl", store, shapes)
    assert engine == "pyshacl" and results


def _closed_shape_file(folder: Path) -> Path:
    """A shape using ``sh:closed``, which the compiler does not handle."""
    path = folder / "closed.shapes.ttl"
    path.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ;"
        " sh:property [ sh:path ex:name ] .\n",
        encoding="utf-8",
    )
    return path


def _local_imports(path: Path) -> set[str]:
    """The sibling modules a module of the package imports (``from .x import``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_no_import_circle_inside_the_package() -> None:
    modules = {p.stem: _local_imports(p) for p in PACKAGE.glob("*.py")}
    assert {"report", "shapes", "compiler", "fast", "pyshacl_engine", "checks"} <= set(modules)
    # Only the package's __init__ gathers the others; no module imports it back.
    for name, imported in modules.items():
        assert "__init__" not in imported, name
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join((*trail, name))
        if name in done:
            return
        for other in modules.get(name, set()):
            visit(other, (*trail, name))
        done.add(name)

    for name in modules:
        visit(name, ())
    assert "fast" not in modules["compiler"] and "report" in modules["compiler"]
    assert modules["report"] == set(), "the report model stands on its own"


def test_the_french_text_report_names_severities_in_french() -> None:
    from actorgraph.validation import Report, Result

    results = [
        Result(severity, "https://example.org/x", "c", "s", messages={"fr": "m", "en": "m"})
        for severity in ("Violation", "Warning", "Info")
    ]
    french = Report(results, "fast").to_text("fr")
    assert "[Violation]" in french and "[Avertissement]" in french
    assert "[Information]" in french
    assert "[Warning]" not in french and "[Info]" not in french
    english = Report(results, "fast").to_text("en")
    assert "[Warning]" in english and "[Info]" in english
