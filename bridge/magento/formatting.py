"""Display strings: money, dates, status labels, phones, addresses and carrier tracking URLs.

Gladly shows every value as given, so the bridge formats them (gladly-lookup-adaptor.md §3.3, §3.4).
"""
from __future__ import annotations

import functools
import re
from datetime import datetime
from datetime import timezone
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from urllib.parse import quote
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

# Symbol and decimals per ISO 4217 code; other currencies render as "12.50 XYZ".
CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}
ZERO_DECIMAL_CURRENCIES = {"JPY"}

# Magento's shipping carriers have no tracking URL over REST (magento-rest.md §7); "custom" has none at all.
TRACKING_URLS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={}",
}

# Countries of the North American Numbering Plan whose 10-digit numbers get "+1" in E.164.
NANP_COUNTRIES = {"US", "CA", "PR", "VI", "GU", "AS", "MP"}


_ZERO = Decimal(0)
_UNITS = Decimal(1)
_CENTS = Decimal("0.01")


# A detailed lookup converts and formats about a thousand values, most of them the same few quantities (0.0,
# 1.0, 2.0) and prices: a result looked up costs a fraction of one made, and results are immutable. typed=True
# keeps 1, 1.0 and True apart, equal keys that convert differently (functools.lru_cache docs:
# https://docs.python.org/3/library/functools.html#functools.lru_cache).
_cached = functools.lru_cache(maxsize=4096, typed=True)


# Magento keeps amounts and quantities as decimal(20,4) (Magento_Sales etc/db_schema.xml), so anything beyond is junk,
# as are NaN and Infinity, whose comparisons and formatting raise, and "1_0", which Decimal reads as 10 (PEP 515).
_DIGITS = 16


@_cached
def _convert(value) -> Decimal:
    if value in (None, "") or (value.__class__ is str and "_" in value):
        return _ZERO
    try:
        number = Decimal(value) if value.__class__ is int else Decimal(str(value))
    except InvalidOperation:
        return _ZERO
    return number if number.is_finite() and number.adjusted() < _DIGITS else _ZERO  # adjusted(): no Overflow


@_cached
def _format(amount, currency: str | None) -> str:
    code = (currency or "").upper()
    places = _UNITS if code in ZERO_DECIMAL_CURRENCIES else _CENTS
    value = to_decimal(amount).quantize(places, rounding=ROUND_HALF_UP)
    number = f"{abs(value):,}"
    sign = "-" if value < 0 else ""
    if code in CURRENCY_SYMBOLS:
        return f"{sign}{CURRENCY_SYMBOLS[code]}{number}"
    return f"{sign}{number} {code}".rstrip()


def to_decimal(value) -> Decimal:
    """A Magento amount (number, numeric string or null) as a Decimal; null, junk and non-finite or out-of-range
    numbers are 0."""
    try:
        return _convert(value)
    except TypeError:  # unhashable, a list or an object where a number belongs: computed, not kept
        return _convert.__wrapped__(value)


def format_money(amount, currency: str | None) -> str:
    """``$27.00``, ``£12.50``, ``-€3.00``, ``¥1,200`` or, for unknown symbols, ``12.50 XYZ``."""
    try:
        return _format(amount, currency)
    except TypeError:  # unhashable amount: computed, not kept (as to_decimal, 0)
        return _format.__wrapped__(amount, currency)


def iso_utc(magento_date: str | None) -> str:
    """Magento's UTC ``YYYY-MM-DD HH:MM:SS`` (magento-rest.md §3.1) as ISO-8601 ``…T…Z``; '' when absent."""
    if not magento_date:
        return ""
    return magento_date.strip().replace(" ", "T", 1) + "Z"


def iso_date(magento_date: str | None) -> str:
    """The date part of a Magento timestamp, ``YYYY-MM-DD``."""
    return (magento_date or "")[:10]


_MAGENTO_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _local(magento_date: str | None, zone: str | None) -> datetime | None:
    """Magento's UTC ``YYYY-MM-DD HH:MM:SS`` (magento-rest.md §3.1) in an IANA timezone; None when either is
    unknown. (A regular expression and fromisoformat: strptime cost 10 µs, and a lookup converts dozens.)"""
    text = (magento_date or "").strip()
    if not _MAGENTO_TIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone or "UTC"))
    except (ValueError, ZoneInfoNotFoundError):
        return None


def local_date(magento_date: str | None, zone: str | None) -> str:
    """The ``YYYY-MM-DD`` of a Magento UTC timestamp in an IANA timezone, the store's (its admin shows dates
    that way); the UTC date when the zone or the time is unknown."""
    moment = _local(magento_date, zone)
    return moment.date().isoformat() if moment else iso_date(magento_date)


def local_minute(magento_date: str | None, zone: str | None) -> str:
    """``YYYY-MM-DD HH:MM`` of a Magento UTC timestamp in an IANA timezone, as the admin's comment history
    shows it; the UTC minute when the zone or the time is unknown."""
    moment = _local(magento_date, zone)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else (magento_date or "")[:16]


def status_label(code: str | None) -> str:
    """An order status code title-cased, ``pending_payment`` → ``Pending Payment``: what agents see when the
    store's own labels are unknown (no companion module, see catalog.StatusLabels)."""
    return (code or "").replace("_", " ").title()


def digits(phone: str | None) -> str:
    """Only the digits of a phone number."""
    return re.sub(r"\D", "", phone or "")


def to_e164(phone: str | None, country_id: str | None = None) -> str:
    """A stored phone in E.164 when that is certain (an explicit ``+``, or a NANP number); else as typed.

    Magento keeps phones as typed (magento-rest.md §5) and Gladly compares E.164 (adaptor §2.4 rule 7).
    """
    number = (phone or "").strip()
    found = digits(number)
    if number.startswith("+") and found:
        return "+" + found
    if (country_id or "").upper() in NANP_COUNTRIES:
        if len(found) == 10:
            return "+1" + found
        if len(found) == 11 and found.startswith("1"):
            return "+" + found
    return number


def street_lines(street) -> list[str]:
    """Magento's ``street`` (a list of lines, sometimes one string) as a list of non-empty lines."""
    lines = street if isinstance(street, list) else [street]
    return [str(line).strip() for line in lines if line and str(line).strip()]


def region_code(address: dict) -> str:
    """The region of an order address (flat) or a customer address (nested ``region`` object)."""
    region = address.get("region")
    if isinstance(region, dict):
        return region.get("region_code") or region.get("region") or ""
    return address.get("region_code") or region or ""


def address_line(address: dict | None) -> str:
    """One line, ``street, city, region postcode, country`` (gladly-lookup-adaptor.md §3.1)."""
    if not address:
        return ""
    region_zip = " ".join(part for part in (region_code(address), address.get("postcode") or "") if part)
    parts = [*street_lines(address.get("street")), address.get("city") or "", region_zip,
             address.get("country_id") or ""]
    return ", ".join(part for part in parts if part)


def person_name(first: str | None, last: str | None) -> str:
    """First and last name joined, either may be missing."""
    return " ".join(part.strip() for part in (first or "", last or "") if part and part.strip())


def tracking_url(carrier_code: str | None, number: str | None) -> str:
    """The carrier's public tracking page for a number; '' for custom or unknown carriers."""
    template = TRACKING_URLS.get((carrier_code or "").lower())
    if not template or not number:
        return ""
    return template.format(quote(number.strip(), safe=""))
