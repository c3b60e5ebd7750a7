"""Rewrite the App Action sections of docs/gladly-ai.md from bridge/gladly/ai_catalog.py.

    .venv/bin/python dev/gladly_ai_doc.py
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.gladly.ai_catalog import markdown  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "gladly-ai.md"
BLOCK = re.compile(r"(<!-- app-actions:start -->\n).*?(<!-- app-actions:end -->)", re.DOTALL)

text = DOC.read_text()
if not BLOCK.search(text):
    sys.exit("docs/gladly-ai.md has no <!-- app-actions:start --> ... <!-- app-actions:end --> block")
DOC.write_text(BLOCK.sub(lambda match: match[1] + markdown() + "\n" + match[2], text))
