"""Guard rail: text translated at import time (module or class level) uses
gettext_lazy.  Plain gettext there is evaluated once, in the language active at
import, so Russian pages showed English headings."""

from __future__ import annotations

import ast
from pathlib import Path

import lastmile

EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _eager_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in EAGER}
    return names


def _calls_outside_functions(node: ast.AST, names: set[str]) -> list[int]:
    """Line numbers of calls to ``names`` evaluated when the module is imported."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        # Only decorators and default values run at import time.
        eager = [*getattr(node, "decorator_list", []), *node.args.defaults]
        eager += [d for d in node.args.kw_defaults if d is not None]
        return [line for part in eager for line in _calls_outside_functions(part, names)]
    found = []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
        found.append(node.lineno)
    for child in ast.iter_child_nodes(node):
        found += _calls_outside_functions(child, names)
    return found


def test_no_eager_gettext_at_import_time():
    root = Path(lastmile.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        names = _eager_names(tree)
        if names:
            offenders += [
                f"{path.relative_to(root)}:{line}" for line in _calls_outside_functions(tree, names)
            ]
    assert not offenders, "use gettext_lazy here:\n" + "\n".join(offenders)
