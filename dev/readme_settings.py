"""Rewrite the settings table in README.md from bridge/config.py's SETTINGS.

    .venv/bin/python dev/readme_settings.py
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.config import settings_table  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- settings:start -->\n).*?(<!-- settings:end -->)", re.DOTALL)

text = README.read_text()
if not BLOCK.search(text):
    sys.exit("README.md has no <!-- settings:start --> ... <!-- settings:end --> block")
README.write_text(BLOCK.sub(lambda match: match[1] + settings_table() + "\n" + match[2], text))
