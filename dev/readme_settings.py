"""Rewrite the generated blocks of the docs: the settings table in README.md from bridge/config.py's SETTINGS,
and the App Action sections of docs/gladly-ai.md from bridge/gladly/ai_catalog.py.

    .venv/bin/python dev/readme_settings.py
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.config import settings_table  # noqa: E402
from bridge.gladly.ai_catalog import markdown  # noqa: E402


def rewrite(path: Path, name: str, content: str) -> None:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``."""
    block = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    text = path.read_text()
    if not block.search(text):
        sys.exit(f"{path.name} has no <!-- {name}:start --> ... <!-- {name}:end --> block")
    path.write_text(block.sub(lambda match: match[1] + content + "\n" + match[2], text))


rewrite(ROOT / "README.md", "settings", settings_table())
rewrite(ROOT / "docs" / "gladly-ai.md", "app-actions", markdown())
