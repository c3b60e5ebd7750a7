"""Matching rules that need no Magento: phones, names, order numbers, emails, external ids."""
import pytest

from bridge.lookup.mapping import parse_external_id
from bridge.lookup.matching import name_pattern
from bridge.lookup.matching import normalise_emails
from bridge.lookup.matching import order_number_variants
from bridge.lookup.matching import phone_pattern
from bridge.lookup.matching import same_phone


@pytest.mark.parametrize(("stored", "gladly"), [
    ("512-555-1111", "+15125551111"),
    ("(512) 555 1111", "+15125551111"),
    ("+1 512.555.1111", "+15125551111"),
    ("15125551111", "+15125551111"),
    ("07700 900123", "+447700900123"),
    ("0044 7700 900123", "+447700900123"),
])
def test_same_phone_ignores_punctuation_trunk_and_country_code(stored, gladly):
    assert same_phone(stored, gladly)


@pytest.mark.parametrize(("stored", "gladly"), [
    ("512-555-1112", "+15125551111"),
    ("555-1111", "+15125551111"),  # too short to identify a line
    ("+44 5125551111", "+15125551111"),  # both international: must be equal
    ("", "+15125551111"),
])
def test_same_phone_refuses_other_numbers(stored, gladly):
    assert not same_phone(stored, gladly)


def test_phone_pattern_tolerates_any_punctuation_between_digits():
    assert phone_pattern("+1 (512) 555-1111") == "%5%5%5%1%1%1%1"
    assert phone_pattern("555-11") is None


def test_name_pattern():
    assert name_pattern("  Jane   Doe ") == "%Jane%Doe%"
    assert name_pattern("100%_") == "%100%"
    assert name_pattern("J") is None


def test_order_number_variants_split_strip_and_pad():
    assert order_number_variants(["#3, 000000004", "100000123"]) == ["3", "000000003", "000000004", "100000123"]


def test_normalise_emails():
    assert normalise_emails([" A@B.com", "a@b.com", "not-an-email", "x,y@z.com"]) == ["a@b.com"]


@pytest.mark.parametrize(("external_id", "parsed"), [
    ("2", ("customer", 2)),
    ("guest:Guest@Example.com", ("guest", "guest@example.com")),
    ("abc", None),
    ("guest:", None),
    (None, None),
    ("-1", None),
    ("²", None),
])
def test_parse_external_id(external_id, parsed):
    assert parse_external_id(external_id) == parsed
