"""Reads the imports of every module of expo_crm, module level and inside functions alike,
and names each import that points up the layers or closes a cycle between packages.

The layers are those of docs/architecture.md; a package imports only from its own layer or
below, and the packages of one layer import each other without a cycle."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "expo_crm"

# Bottom to top. A unit is a top-level module or sub-package of expo_crm.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "core",
        frozenset(
            {
                "actions",
                "audit",
                "clock",
                "config",
                "converters",
                "dashboard",
                "database",
                "db",
                "documents",
                "errors",
                "events",
                "extensions",
                "i18n",
                "charts",
                "navigation",
                "ratelimits",
                "security",
                "signals",
                "subjects",
                "taxids",
            }
        ),
    ),
    ("platform", frozenset({"auth", "lists", "mail", "scheduler", "shows", "tasks"})),
    ("shared domain", frozenset({"categories", "relationships", "surveys"})),
    (
        "blueprints",
        frozenset(
            {
                "exhibitors",
                "invoicing",
                "matchmaking",
                "partners",
                "portal",
                "staff",
                "suppliers",
                "visitors",
            }
        ),
    ),
    ("wiring", frozenset({"", "__main__", "apidocs", "cli", "demo", "server"})),
)
LAYER_OF = {unit: rank for rank, (_name, units) in enumerate(LAYERS) for unit in units}
LAYER_NAME = [name for name, _units in LAYERS]


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the tree's root
    line: int
    importer: str  # dotted module name
    imported: str  # dotted module name

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported}"


def unit_of(module: str) -> str:
    """expo_crm.relationships.views.timeline -> relationships; expo_crm -> ''."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def read_tree(root: Path) -> dict[str, tuple[str, str]]:
    """Every module of the package under root: dotted name -> (relative path, source)."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts:  # Alembic scripts, loaded by Alembic from files
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = (str(relative), path.read_text(encoding="utf-8"))
    return modules


def imports_of(module: str, path: str, source: str, known: set[str]) -> list[Import]:
    """The project modules this module imports, wherever the import statement stands."""
    is_package = path.endswith("__init__.py")
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from expo_crm import clock` imports the module expo_crm.clock
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                found.append(Import(path, node.lineno, module, target))
    return found


def all_imports(modules: dict[str, tuple[str, str]]) -> list[Import]:
    known = set(modules)
    found = []
    for module, (path, source) in modules.items():
        found.extend(imports_of(module, path, source, known))
    return found


def upward_imports(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        source, target = unit_of(imp.importer), unit_of(imp.imported)
        if source not in LAYER_OF:
            problems.append(f"{imp}: {source!r} belongs to no layer (add it to tests/layering.py)")
        elif target not in LAYER_OF:
            problems.append(f"{imp}: {target!r} belongs to no layer (add it to tests/layering.py)")
        elif LAYER_OF[target] > LAYER_OF[source]:
            problems.append(
                f"{imp}: {LAYER_NAME[LAYER_OF[source]]} ({source}) imports from the higher "
                f"layer {LAYER_NAME[LAYER_OF[target]]} ({target})"
            )
    return problems


def package_cycles(imports: list[Import]) -> list[str]:
    """Each cycle between packages, named by the import lines that close it."""
    edges: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for imp in imports:
        source, target = unit_of(imp.importer), unit_of(imp.imported)
        if source != target and target != "":
            edges[source][target].append(imp)
    problems = []
    for component in _strongly_connected(edges):
        if len(component) < 2:
            continue
        lines = [
            str(imp)
            for source in sorted(component)
            for target in sorted(edges[source])
            if target in component
            for imp in edges[source][target]
        ]
        problems.append(
            "packages import each other: "
            + " <-> ".join(sorted(component))
            + "\n    "
            + "\n    ".join(lines)
        )
    return problems


def _strongly_connected(edges: dict[str, dict[str, list[Import]]]) -> list[set[str]]:
    """Tarjan's algorithm over the package graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in edges.get(node, {}):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(set(edges) | {t for targets in edges.values() for t in targets}):
        if node not in index:
            visit(node)
    return components


def problems_in(modules: dict[str, tuple[str, str]]) -> list[str]:
    imports = all_imports(modules)
    return upward_imports(imports) + package_cycles(imports)
