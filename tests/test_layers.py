"""The import layers: a module of bridge/ imports only its own unit or a lower layer.

Units are the subpackages and modules directly under bridge/; every import counts, at module level or inside
a function. The sandbox stands apart: it imports nothing of the bridge, and the bridge nothing of it.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Top to bottom; a unit imports the lines below its own, not its siblings (but config raises errors).
LAYERS = [{"cli"}, {"ops"}, {"preview"}, {"gladly"}, {"actions"}, {"lookup"}, {"magento"}, {"storage"},
          {"config", "errors", "metrics"}]
RANK = {unit: rank for rank, line in enumerate(LAYERS) for unit in line}
SIBLING_ARROWS = {("config", "errors")}


def _unit(module: str) -> str | None:
    """The unit of a dotted module name: one under bridge/, bridge (the factory), sandbox, or None (others)."""
    top, _, rest = module.partition(".")
    if top == "bridge":
        return rest.split(".")[0] if rest else "bridge"
    return "sandbox" if top == "sandbox" else None


def violations(path: Path, source: str) -> list[str]:
    """``file:line: importer -> imported`` for each import in one module's source that breaks the layers."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rpartition(".")[0]
    importer, found = _unit(module), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            base = ".".join([*parts, *([node.module] if node.module else [])])
            # from bridge import formatting: each name a unit; from bridge import create_app: the factory
            names = [f"bridge.{a.name}" if a.name in RANK else base for a in node.names] if base == "bridge" else [base]
        else:
            continue
        for imported in filter(None, map(_unit, names)):
            if "sandbox" in (importer, imported) or importer == imported:
                allowed = importer == imported
            else:
                allowed = (RANK.get(imported, -1) > RANK.get(importer, len(LAYERS))
                           or (importer, imported) in SIBLING_ARROWS)
            if not allowed:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {importer} -> {imported}")
    return found


def test_every_module_keeps_to_the_layers():
    paths = [path for folder in ("bridge", "sandbox") for path in sorted((ROOT / folder).rglob("*.py"))
             if path != ROOT / "bridge" / "__init__.py"]  # the factory assembles every layer
    assert [found for path in paths for found in violations(path, path.read_text(encoding="utf-8"))] == []


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("bridge/storage.py", "import bridge.cli\n", "bridge/storage.py:1: storage -> cli"),
    ("bridge/magento/oauth.py", "def f():\n    from ..ops import logs\n", "bridge/magento/oauth.py:2: magento -> ops"),
    ("bridge/lookup/service.py", "from bridge import gladly\n", "bridge/lookup/service.py:1: lookup -> gladly"),
    ("bridge/errors.py", "from . import config\n", "bridge/errors.py:1: errors -> config"),
    ("bridge/config.py", "from bridge import create_app\n", "bridge/config.py:1: config -> bridge"),
    ("bridge/metrics.py", "from sandbox import SandboxStore\n", "bridge/metrics.py:1: metrics -> sandbox"),
    ("bridge/gladly/auth.py", "from bridge.preview import views\n", "bridge/gladly/auth.py:1: gladly -> preview"),
    ("bridge/metrics.py", "from bridge import errors\n", "bridge/metrics.py:1: metrics -> errors"),
    ("sandbox/app.py", "from bridge.errors import BridgeError\n", "sandbox/app.py:1: sandbox -> errors"),
])
def test_an_upward_import_is_caught(path, source, expected):
    assert violations(ROOT / path, source) == [expected]

