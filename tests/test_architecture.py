"""The package's shape: one-way layers, no import circles, small modules and functions.

Read with :mod:`ast`, so imports inside functions and under ``if TYPE_CHECKING:`` count too.
``docs/architecture.md`` explains the layers these tests hold.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "bti_workbench"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
#: A comment with this marker on the line above a longer function says why it is long.
LONG_MARKER = "# long-function:"

#: Layers from the bottom up: a module may import its own layer and the ones below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_util"),
    ("reference", "eventlog"),
    ("privacy",),
    ("ingest",),
    ("network", "evaluation", "simulation"),
    ("synthetic",),
    ("reports", "dashboard"),
    ("cli",),
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.with_suffix("").relative_to(REPO).parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package that ``name`` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                stem = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*stem, base] if base else stem)
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        targets |= {c for c in candidates if c in known and c != name}
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) == 1:
        return None  # the package itself re-exports every layer
    top = parts[1]
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_no_import_circles():
    assert _cycles(_graph()) == []


def test_every_module_belongs_to_a_layer():
    for module in _modules():
        if module != "bti_workbench":
            _layer(module)  # StopIteration names a module outside every layer


def test_layers_import_only_downwards():
    wrong = [
        f"{a} -> {b}"
        for a, targets in _graph().items()
        for b in targets
        if _layer(a) is not None and (_layer(b) is None or _layer(b) > _layer(a))
    ]
    assert wrong == []


def test_no_module_over_800_lines():
    long = {
        str(path.relative_to(REPO)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def _function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function, its docstring left out."""
    lines = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def _long_functions(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if _function_lines(node) <= MAX_FUNCTION_LINES:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if LONG_MARKER not in lines[first - 2]:
            found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    return found


def test_long_functions_say_why():
    long = [f for path in sorted(PACKAGE.rglob("*.py")) for f in _long_functions(path)]
    assert long == []


def _notebook_imports(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    modules = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        code = "\n".join(line for line in source.splitlines() if not line.startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
    return {m for m in modules if m.split(".")[0] == "bti_workbench"}


@pytest.mark.parametrize("notebook", sorted((REPO / "notebooks").glob("*.ipynb")), ids=str)
def test_notebooks_import_only_the_public_api(notebook):
    """The package and its subpackages' ``__init__``, never a module inside or a private name."""
    packages = {m for m, path in _modules().items() if path.name == "__init__.py"}
    private = {m for m in _notebook_imports(notebook) if m not in packages or "._" in m}
    assert private == set()


def test_the_public_api_imports_from_the_top():
    from bti_workbench import compare_options, load_scenario, simulate, summarise

    assert all(callable(f) for f in (compare_options, load_scenario, simulate, summarise))


def test_the_layer_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bti_workbench.cli import app\n"
        "def f():\n    from bti_workbench.simulation import simulate\n",
        encoding="utf-8",
    )
    known = {"bti_workbench.cli", "bti_workbench.simulation"}
    assert _imports("bti_workbench.probe", module, known) == known


def test_the_cycle_check_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
