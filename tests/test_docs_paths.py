"""Every repository path that README.md, docs/*.md and the module's README name exists: docs cannot drift from
the tree.

A path is a word starting ``bridge/``, ``sandbox/``, ``tests/``, ``bench/`` or ``magento-module/``, in backticks or
plain, not inside a longer path or URL (``/sandbox/config``, ``gladly-bridge/bridge.env``). Patterns are skipped:
a path holding ``*``, ``…`` or ``{``.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "magento-module" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PATH = re.compile(r"(?<![\w./@:-])((?:bridge|sandbox|tests|bench|magento-module)/[\w./*…{}-]*)")


def named_paths(text: str) -> list[tuple[int, str]]:
    """(line number, path) of every repository path in a document, patterns left out."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in PATH.finditer(line):
            path = match[1].rstrip(".")
            if not any(mark in path for mark in "*…{"):
                found.append((number, path))
    return found


def test_every_path_the_docs_name_exists():
    missing = [f"{doc.relative_to(ROOT)}:{number}: {path}" for doc in DOCS
               for number, path in named_paths(doc.read_text(encoding="utf-8")) if not (ROOT / path).exists()]
    assert missing == []


def test_paths_are_found_and_patterns_skipped():
    text = "See `bridge/ops/web.py`, tests/e2e/, bench/README.md. Not /sandbox/config, `tests/test_*.py`, x/bridge/y."
    assert named_paths(text) == [(1, "bridge/ops/web.py"), (1, "tests/e2e/"), (1, "bench/README.md")]


def test_every_module_of_the_bridge_has_its_row_in_the_architecture():
    """docs/ARCHITECTURE.md's "Where things live" names every module, so a newcomer finds each by its name."""
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = {path for _, path in named_paths(architecture)}
    modules = {str(path.relative_to(ROOT)) for path in (ROOT / "bridge").rglob("*.py")}
    assert sorted(modules - named) == []
