"""Every § cited in the two reference notes has a row in docs/references.md (the notes stay outside the repo).

A citation is ``§N``, ``§N.M`` or a range (``§9-12``, ``§6.2-§6.5``: every section between). Its note, by the
first rule that applies: 1. right after a source name: ``magento-rest[.md]``, ``gladly-lookup-adaptor[.md]``
or ``adaptor``, ``RFC <n>`` (not a note: skipped); a bare § later on the same line continues that source.
2. Bare and three levels deep (``§3.4.1.2``; the notes go two deep), or bare in a file naming neither note but
citing an RFC by §: an RFC's, skipped. 3. A number only one note has (the "Sections:" lines of the page): that
note. 4. The note the file names, if it names one; else the subject it mentions more ("gladly" or "magento",
any case; a tie goes to magento-rest.md). It passes with a row in that note's table or a line under "Cited
but not present in the note". Rows are keyed by note and section, never by the citing file: files move.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "docs" / "references.md"
NOTES = MAGENTO, GLADLY = "magento-rest.md", "gladly-lookup-adaptor.md"
SKIP = {".venv", "var", ".git", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SUFFIXES = {".py", ".php", ".phtml", ".md", ".xml", ".cfg", ".toml", ".sh", ".ini", ".txt", ".yml", ".yaml", ".json",
            ".js"}
NUM = r"\d+(?:\.\d+)*"
CITE = re.compile(rf"(?:(?P<note>magento-rest|gladly-lookup-adaptor|adaptor)(?:\.md)?|(?P<rfc>RFC ?\d+))? ?§ ?"
                  rf"(?P<a>{NUM})(?: ?[-–] ?§? ?(?P<b>{NUM}))?")


def expand(a: str, b: str | None) -> list[str]:
    """``9-12`` is 9, 10, 11, 12; ``6.2-6.5`` is 6.2 to 6.5; a lone section is itself."""
    (head, _, first), (head_b, _, last) = a.rpartition("."), (b or a).rpartition(".")
    numbers = range(int(first), int(last) + 1) if head == head_b else []
    return [f"{head}.{n}".lstrip(".") for n in numbers] or [a, b]


def references() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per note: the sections accepted (rows, or cited but not present), and all its sections."""
    accepted, outline, part = {n: set() for n in NOTES}, {n: set() for n in NOTES}, None
    for line in REFERENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            part = next((n for n in NOTES if n in line), "absent" if "not present" in line else None)
        elif part in NOTES and line.startswith("Sections:"):
            outline[part] = set(re.findall(rf"§({NUM})", line))
        elif part in NOTES and (row := re.match(rf"\| §({NUM}) \|", line)):
            accepted[part].add(row[1])
        elif part == "absent" and line.startswith("- ") and (cited := re.search(rf"§({NUM})", line)):
            accepted[MAGENTO if MAGENTO in line else GLADLY].add(cited[1])
    return accepted, outline


def citations(outline: dict[str, set[str]]):
    """(file:line, note, section) of every citation of a note, by the rules above."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP and Path(folder, d) != ROOT / "magento-module" / "vendor"]
        for path in (Path(folder, name) for name in files):
            if path in (REFERENCES, Path(__file__).resolve()) or path.suffix not in SUFFIXES | {""}:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            named = [n for n in NOTES if n in text]
            mentions = len(re.findall("gladly", text, re.I)) > len(re.findall("magento", text, re.I))
            default = named[0] if len(named) == 1 else GLADLY if mentions else MAGENTO
            rfc_only = not named and re.search(r"RFC ?\d+ ?§", text)
            for number, line in enumerate(text.splitlines() if "§" in text else [], 1):
                source = None
                for m in CITE.finditer(line):
                    source = {"magento-rest": MAGENTO, None: None}.get(m["note"], GLADLY) or m["rfc"] or source
                    if source or (m["a"].count(".") < 2 and not rfc_only):
                        for section in expand(m["a"], m["b"]):
                            owners = [n for n in NOTES if section in outline[n]]
                            note = source or (owners[0] if len(owners) == 1 else default)
                            if note in NOTES:
                                yield f"{path.relative_to(ROOT)}:{number}", note, section


def test_every_cited_section_has_a_row_in_references_md():
    accepted, outline = references()
    assert all(accepted.values()) and all(outline.values()), "docs/references.md lost a table or a Sections line"
    missing = [f"{where}: {note} §{section}" for where, note, section in citations(outline)
               if section not in accepted[note]]
    assert not missing, "cited sections without a row in docs/references.md:\n" + "\n".join(missing)
