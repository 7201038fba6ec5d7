"""The layers of docs/architecture.md, checked on the code: no module imports
one of a higher layer, and no imports form a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "actorgraph"

#: Layer of each top-level module or package of actorgraph (docs/architecture.md).
LAYERS: dict[str, int] = {
    "__init__": 0,
    "errors": 0,
    "namespaces": 0,
    "_ag": 0,
    "slug": 0,
    "project": 0,
    "fsutil": 0,
    "progress": 0,
    "gen_namespace": 0,
    "store": 1,
    "rdf": 2,
    "match": 2,
    "catalogue": 2,
    "validation": 3,
    "query": 3,
    "export": 3,
    "link": 3,
    "wikidata": 3,
    "refdata": 3,
    "ingest": 3,
    "push": 3,
    "network": 3,
    "reconcile": 3,
    "build": 4,
    "stats": 4,
    "serve": 4,
    "cli": 5,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The actorgraph modules ``path`` imports (anywhere in it, lazily too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("actorgraph"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("actorgraph"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (SRC.parent / Path(*candidate.split("."))).with_suffix(
                    ".py"
                ).exists() or (SRC.parent / Path(*candidate.split(".")) / "__init__.py").exists()
                found.add(candidate if is_module else target)
    found.discard(name)
    return found


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def test_every_module_has_a_layer() -> None:
    missing = sorted({top(m) for m in MODULES} - set(LAYERS))
    assert not missing, f"add these to LAYERS and docs/architecture.md: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module: str) -> None:
    own = LAYERS[top(module)]
    upward = sorted(i for i in imports(MODULES[module]) if LAYERS.get(top(i), 0) > own)
    assert not upward, f"{module} (layer {own}) imports {upward}"


def test_no_import_circle() -> None:
    graph = {m: {i for i in imports(p) if i in MODULES} for m, p in MODULES.items()}
    # The package's __init__ files are imported by their submodules' loading;
    # an import of a package's face (``from ..store import X``) is an import of
    # that __init__, which may import its own submodules.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue  # a package and its own parts
            if state.get(nxt) == 1:
                circle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
