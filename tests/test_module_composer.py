"""The module's composer.json admits the Magento it is proven on: the locked versions of the kits in ../shared.

Each kit archive (``../shared/magento/magento-*.tar.zst``) is a whole Magento project; its ``composer.lock`` says
which ``magento/*`` versions that release ships. Every ``magento/*`` constraint of ``magento-module/composer.json``
must accept them, read with Composer's rules (``^`` and ``~`` are not pip's), so that ``composer require`` works on
each of those stores. Skips without the kits, fails instead when BRIDGE_REQUIRE_REFERENCE=1.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "magento-module"
KITS = ROOT.parent / "shared" / "magento"
PROVEN = ("2.4.6", "2.4.8-p2")  # the kits the real-Magento suite runs on (tests/real_magento)

# Composer's stabilities in order (composer/semver VersionParser); "p"/"pl"/"patch" come after the release.
_STABILITY = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "rc": 3, "": 4, "stable": 4, "patch": 5, "pl": 5,
              "p": 5}
_VERSION = re.compile(r"^v?(\d+(?:\.\d+){0,3})(?:[-.]?(dev|alpha|a|beta|b|rc|stable|patch|pl|p)\.?(\d+)?)?$", re.I)


def version(text: str) -> tuple:
    """A Composer version as a comparable tuple: four numbers, the stability's rank, its number."""
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a Composer version: {text!r}")
    numbers = [int(part) for part in match.group(1).split(".")]
    return (*numbers, *[0] * (4 - len(numbers)), _STABILITY[(match.group(2) or "").lower()], int(match.group(3) or 0))


def _bumped(numbers: list[int], index: int) -> tuple:
    """The lowest dev version after ``numbers`` with part ``index`` raised by one (an exclusive upper bound)."""
    raised = [*numbers[:index], numbers[index] + 1]
    return (*raised, *[0] * (4 - len(raised)), 0, 0)


def _term(term: str):
    """One comparison of a constraint (``^1.2``, ``~8.1.0``, ``>=2``, ``1.0.3``) as a predicate on versions."""
    operator, text = re.match(r"^(\^|~|>=|<=|>|<|!=|==|=)?\s*(.+)$", term).groups()
    if text == "*":
        return lambda v: True
    bound = version(text)
    numbers = [int(part) for part in re.match(r"v?(\d+(?:\.\d+)*)", text).group(1).split(".")]
    if operator == "^":
        # ^1.2.3 is >=1.2.3 <2.0.0; below 1.0 the first non-zero part is the one kept (^0.3 is <0.4).
        first = next((i for i, n in enumerate(numbers[:3]) if n), min(len(numbers), 3) - 1)
        upper = _bumped(numbers, first)
        return lambda v: bound <= v < upper
    if operator == "~":
        # ~1.2 is >=1.2 <2.0; ~1.2.3 is >=1.2.3 <1.3.0: the last given part may grow, the one before it is kept.
        upper = _bumped(numbers, max(len(numbers) - 2, 0))
        return lambda v: bound <= v < upper
    return {">=": lambda v: v >= bound, "<=": lambda v: v <= bound, ">": lambda v: v > bound,
            "<": lambda v: v < bound, "!=": lambda v: v != bound}.get(operator, lambda v: v == bound)


def satisfies(candidate: str, constraint: str) -> bool:
    """Whether a version fits a Composer constraint: ``||`` between alternatives, commas or spaces between terms."""
    found = version(candidate)
    for alternative in re.split(r"\s*\|\|?\s*", constraint.strip()):
        joined = re.sub(r"(>=|<=|!=|==|[<>=^~])\s+", r"\1", alternative)  # ">= 2.0" is one term
        terms = [term for term in re.split(r"[\s,]+", joined) if term]
        if all(_term(term)(found) for term in terms):
            return True
    return False


@pytest.mark.parametrize(("candidate", "constraint", "expected"), [
    ("103.0.8-p2", "^103.0.6", True),   # a Magento patch release comes after its release
    ("103.0.6", "^103.0.6", True),
    ("103.0.5-p9", "^103.0.6", False),
    ("104.0.0", "^103.0.6", False),
    ("104.0.0-beta1", "^103.0.6", False),
    ("0.3.9", "^0.3", True), ("0.4.0", "^0.3", False),
    ("8.3.14", "~8.1.0||~8.2.0||~8.3.0", True), ("8.4.1", "~8.1.0||~8.2.0||~8.3.0", False),
    ("1.9", "~1.2", True), ("2.0", "~1.2", False), ("1.3.0", "~1.2.3", False),
    ("2.1", ">=2.0 <3.0", True), ("3.0", ">=2.0, <3.0", False), ("1.0.3", "1.0.3", True), ("1.0.4", "1.0.3", False),
    ("1.0.0", "^1.0.0 || ^2.0.0", True), ("5.0", "*", True),
])
def test_the_constraint_checker_reads_composer_semantics(candidate, constraint, expected):
    assert satisfies(candidate, constraint) is expected


def _lock(archive: Path) -> dict:
    """The archive's top-level composer.lock, streamed out of the archive (it comes first, so this is quick)."""
    top = archive.name.removesuffix(".tar.zst")
    for member in (f"{top}/composer.lock", "./composer.lock", "composer.lock"):
        done = subprocess.run(["tar", "--zstd", "--occurrence=1", "-xOf", str(archive), member],
                              capture_output=True, timeout=120)
        if done.returncode == 0 and done.stdout:
            return json.loads(done.stdout)
    raise AssertionError(f"no composer.lock at the top of {archive}")


@pytest.fixture(scope="session")
def kit_versions() -> dict[str, dict[str, str]]:
    """Release -> {package: locked version} for each proven kit; read once per test session."""
    archives = {release: KITS / f"magento-{release}.tar.zst" for release in PROVEN}
    missing = [str(path) for path in archives.values() if not path.is_file()]
    if missing:
        reason = f"Magento kit archives not found: {', '.join(missing)} (../shared/magento is absent)"
        if os.environ.get("BRIDGE_REQUIRE_REFERENCE") == "1":
            pytest.fail(f"BRIDGE_REQUIRE_REFERENCE=1 but {reason}")
        pytest.skip(reason)
    found = {}
    for release, archive in archives.items():
        lock = _lock(archive)
        found[release] = {package["name"]: package["version"]
                          for package in lock["packages"] + lock.get("packages-dev", [])}
    return found


@pytest.fixture(scope="module")
def composer() -> dict:
    return json.loads((MODULE / "composer.json").read_text())


def test_every_magento_constraint_admits_each_proven_release(composer, kit_versions):
    wanted = {name: rule for name, rule in composer["require"].items() if name.startswith("magento/")}
    assert wanted, "composer.json requires no magento/* package"
    refused = [f"{release}: {name} {locked[name]} does not fit {rule!r}"
               for release, locked in kit_versions.items() for name, rule in wanted.items()
               if name not in locked or not satisfies(locked[name], rule)]
    assert not refused, "\n".join(refused)


def test_php_range_is_8_1_to_8_4(composer):
    php = composer["require"]["php"]
    for minor in (1, 2, 3, 4):
        assert satisfies(f"8.{minor}.0", php) and satisfies(f"8.{minor}.30", php), f"PHP 8.{minor} refused by {php}"
    assert not satisfies("8.0.30", php) and not satisfies("8.5.0", php), f"{php} claims a PHP nobody tested"


def test_version_is_the_newest_changelog_entry(composer):
    newest = re.search(r"^## (\S+)", (MODULE / "CHANGELOG.md").read_text(), re.M).group(1)
    assert composer.get("version") == newest
