"""README.md and docs/performance.md stay true to the code: every setting, metric, make target and bench
target they name."""
from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import REGISTRY

from bench.stats import TARGETS
from bridge import metrics  # noqa: F401  (registers the metrics)
from bridge.config import SETTINGS
from bridge.config import settings_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PERFORMANCE = (ROOT / "docs" / "performance.md").read_text()


def test_the_settings_table_is_generated_from_the_settings():
    block = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", README, re.DOTALL)
    assert block, "README.md lost its settings block"
    assert block[1] == settings_table(), "stale table: run `.venv/bin/python dev/readme_settings.py`"
    listed = set(re.findall(r"^\| `BRIDGE_([A-Z_]+)` \|", block[1], re.MULTILINE))
    assert listed == set(SETTINGS)


def test_every_documented_metric_exists():
    documented = set(re.findall(r"^\| `(bridge_[a-z_]+)` \|", README, re.MULTILINE))  # the Metrics table
    families = {family.name: family.type for family in REGISTRY.collect() if family.name.startswith("bridge_")}
    exported = {name + ("_total" if kind == "counter" else "") for name, kind in families.items()}
    assert documented and documented <= exported, documented - exported
    assert exported <= documented, f"undocumented metrics: {exported - documented}"


def test_every_make_target_named_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w./-]+):", makefile, re.MULTILINE))
    for text in (README, PERFORMANCE):
        named = set(re.findall(r"\bmake ([\w./-]+)", text)) - {"-C"}
        assert named and named <= targets, named - targets


def test_performance_doc_names_every_bench_target_and_is_linked():
    keys = {key for _name, key, _comparison, _limit in TARGETS}
    assert {key for key in keys if f"`{key}`" not in PERFORMANCE} == set()
    assert "(docs/performance.md)" in README
    assert "(../docs/performance.md)" in (ROOT / "bench" / "README.md").read_text()
