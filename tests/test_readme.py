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


# -- pointers to sections ---------------------------------------------------------------------------------

# A pointer names a section of a document in prose: (README "Crash-safe actions"), (README, "Testing"),
# (README.md, "Configuration"), (docs/reliability.md, "Storage failures"), the README's troubleshooting table.
# In Python a pointer may run over a comment's line break.
QUOTED_POINTER = re.compile(r'(?<![\w/.-])(README(?:\.md)?|docs/[\w.-]+\.md),?\s*(?:#\s*)?"([^"\n]+)"')
POSSESSIVE_POINTER = re.compile(r"(?<![\w/.-])README's\s+([\w -]+?)\s+(?:table|section)\b")
ANCHOR_LINK = re.compile(r"\]\(\.\./README\.md#([\w-]+)\)")


def headings(text: str) -> set[str]:
    """A Markdown document's headings, outside code blocks, as pointers name them: lower-case, without
    backticks, a leading "3." or a trailing "(...)"."""
    found, fenced = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            title = re.sub(r"^\d+\.\s+|\s+\(.*\)$", "", match[1].replace("`", "")).strip()
            found.add(title.lower())
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")


def pointers():
    """(file, document, section) for every pointer in bridge/**/*.py and docs/*.md."""
    files = sorted(ROOT.glob("bridge/**/*.py")) + sorted(ROOT.glob("docs/*.md"))
    for path in files:
        text, name = path.read_text(), str(path.relative_to(ROOT))
        for document, section in QUOTED_POINTER.findall(text):
            yield name, "README.md" if document.startswith("README") else document, section
        for section in POSSESSIVE_POINTER.findall(text):
            yield name, "README.md", section


def test_the_pointer_patterns_read_every_form_in_use():
    samples = ['(README "Crash-safe actions")', '(README,\n"Capacity and make soak")',
               '(README.md, "Configuration"; x)', '# (README\n    # "Storage failures")',
               '(docs/reliability.md, "Crash-safe actions")']
    assert [QUOTED_POINTER.search(sample)[2] for sample in samples] == [
        "Crash-safe actions", "Capacity and make soak", "Configuration", "Storage failures", "Crash-safe actions"]
    assert POSSESSIVE_POINTER.findall("see the README's troubleshooting table") == ["troubleshooting"]
    assert QUOTED_POINTER.search('# see magento-module/README.md\n "order_statuses"') is None
    assert {"activate", "troubleshooting", "bridge sign and bridge doctor", "metrics"} <= headings(README)


def test_every_pointer_to_a_section_names_a_heading_that_exists():
    found = list(pointers())
    assert any(document == "README.md" for _name, document, _section in found), "no pointer found: pattern broken?"
    stale = set()
    for name, document, section in found:
        target = ROOT / document
        if not target.exists() or section.lower() not in headings(target.read_text()):
            stale.add((name, section))
    assert stale == set(), "pointers to sections that do not exist; fix the pointer or the heading"


def test_links_from_docs_into_the_readme_name_existing_anchors():
    anchors = {slug(line.lstrip("#")) for line in README.splitlines() if re.match(r"#{1,6} ", line)}
    for path in sorted(ROOT.glob("docs/*.md")):
        missing = set(ANCHOR_LINK.findall(path.read_text())) - anchors
        assert not missing, f"{path.name} links to README anchors that do not exist: {missing}"


def test_moved_sections_are_where_the_readme_says():
    reliability = (ROOT / "docs" / "reliability.md").read_text()
    testing = (ROOT / "docs" / "testing.md").read_text()
    assert {"crash-safe actions", "storage failures", "input limits", "unexpected magento answers",
            "activation and the identity pop-up", "circuit breaker"} <= headings(reliability)
    assert {"the real-magento suite", "what the sandbox does differently from magento"} <= headings(testing)
    assert {"troubleshooting", "security", "testing", "who can activate the bridge"} <= headings(README)
    assert "(docs/reliability.md)" in README and "(docs/testing.md)" in README
    assert len(README.splitlines()) < 600, "README.md grew past 500 lines: move developer detail to docs/"
