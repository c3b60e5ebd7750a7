"""Display formatting: money, dates, status labels, phones, addresses, tracking URLs."""
import pytest

from bridge.magento import formatting as fmt


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    (27, "USD", "$27.00"),
    ("12.5", "GBP", "£12.50"),
    (1234.5, "EUR", "€1,234.50"),
    (-3, "EUR", "-€3.00"),
    (1200, "JPY", "¥1,200"),
    (12.5, "XYZ", "12.50 XYZ"),
    (None, "usd", "$0.00"),
    (0.005, "USD", "$0.01"),
])
def test_format_money(amount, currency, expected):
    assert fmt.format_money(amount, currency) == expected


def test_magento_dates_become_iso_utc():
    assert fmt.iso_utc("2017-08-21 22:22:19") == "2017-08-21T22:22:19Z"
    assert fmt.iso_utc(None) == ""
    assert fmt.iso_date("2017-01-31 01:18:13") == "2017-01-31"


@pytest.mark.parametrize(("utc", "zone", "date"), [
    ("2017-01-31 01:18:13", "America/Chicago", "2017-01-30"),  # a customer created 01:18 UTC, 19:18 in Chicago
    ("2017-01-31 05:59:59", "America/Chicago", "2017-01-30"),
    ("2017-01-31 06:00:00", "America/Chicago", "2017-01-31"),
    ("2017-07-31 05:30:00", "America/Chicago", "2017-07-31"),  # daylight saving: UTC-5
    ("2017-01-31 23:30:00", "Australia/Sydney", "2017-02-01"),
    ("2017-01-31 23:30:00", "", "2017-01-31"),  # zone unknown: the UTC date
    ("2017-01-31 23:30:00", "Mars/Olympus", "2017-01-31"),
    ("2017-01-31", "America/Chicago", "2017-01-31"),  # not a Magento timestamp: its date part
    (None, "America/Chicago", ""),
])
def test_local_date_in_the_store_timezone(utc, zone, date):
    assert fmt.local_date(utc, zone) == date


@pytest.mark.parametrize(("utc", "zone", "minute"), [
    ("2017-01-31 01:18:13", "America/Chicago", "2017-01-30 19:18"),
    ("2017-07-31 05:30:00", "America/Chicago", "2017-07-31 00:30"),  # daylight saving: UTC-5
    ("2017-01-31 23:30:00", "Asia/Kolkata", "2017-02-01 05:00"),
    ("2017-01-31 23:30:00", "", "2017-01-31 23:30"),  # zone unknown: UTC
    ("2017-01-31 23:30:00", "../../etc/passwd", "2017-01-31 23:30"),  # not a zone name at all
    ("2017-01-31T23:30:00+02:00", "America/Chicago", "2017-01-31T23:30"),  # not Magento's form: as given
    ("2017-01-31", "America/Chicago", "2017-01-31"),
    (None, "America/Chicago", ""),
])
def test_local_minute_in_the_store_timezone(utc, zone, minute):
    assert fmt.local_minute(utc, zone) == minute


@pytest.mark.parametrize(("code", "label"), [
    ("pending_payment", "Pending Payment"), ("processing", "Processing"), ("holded", "Holded"), (None, ""),
])
def test_status_label(code, label):
    assert fmt.status_label(code) == label


@pytest.mark.parametrize(("phone", "country", "expected"), [
    ("512-555-1111", "US", "+15125551111"),
    ("1 (512) 555-1111", "CA", "+15125551111"),
    ("+44 7700 900123", "GB", "+447700900123"),
    ("07700 900123", "GB", "07700 900123"),  # national, country code unknown to the bridge: kept as typed
    ("555-1111", "US", "555-1111"),
    ("", "US", ""),
])
def test_to_e164(phone, country, expected):
    assert fmt.to_e164(phone, country) == expected


def test_address_line_reads_flat_and_nested_regions():
    customer_address = {"street": ["123 Oak Ave", "Apt 2"], "city": "Purchase",
                        "region": {"region_code": "NY", "region": "New York"}, "postcode": "10755", "country_id": "US"}
    order_address = {"street": ["1 High Street"], "city": "London", "region": None, "region_code": None,
                     "postcode": "SW1A 1AA", "country_id": "GB"}

    assert fmt.address_line(customer_address) == "123 Oak Ave, Apt 2, Purchase, NY 10755, US"
    assert fmt.address_line(order_address) == "1 High Street, London, SW1A 1AA, GB"
    assert fmt.address_line(None) == ""


@pytest.mark.parametrize(("carrier", "number", "url"), [
    ("ups", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
    ("usps", "9400 1000", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400%201000"),
    ("fedex", "123456789012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"),
    ("DHL", "JD014600003", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1"
                           "&tracking-id=JD014600003"),
    ("custom", "LC-77", ""),
    ("ups", "", ""),
])
def test_tracking_url_per_carrier(carrier, number, url):
    assert fmt.tracking_url(carrier, number) == url


@pytest.mark.parametrize("value, text", [
    (1, "1"), (1.0, "1.0"), (True, "0"), ("1.50", "1.50"), (None, "0"), ("", "0"), ("junk", "0"), ([1], "0"),
    ({"amount": 1}, "0"),
])
def test_to_decimal_converts_each_kind_of_value_its_own_way(value, text):
    """Equal keys of different types (1, 1.0, True) are converted apart, twice in a row (the table)."""
    assert [str(fmt.to_decimal(value)) for _ in range(2)] == [text, text]


@pytest.mark.parametrize("value", ["1e1000000", float("inf"), float("-inf"), float("nan"), "NaN", "-Infinity", "1_0",
                                   1e300, 10 ** 16, "-1e16"])
def test_numbers_magento_never_stores_are_junk_not_a_failure(value):
    """Beyond decimal(20,4), non-finite or with PEP 515 underscores: 0, and formatting them cannot raise."""
    assert fmt.to_decimal(value) == 0 and fmt.format_money(value, "USD") == "$0.00"


@pytest.mark.parametrize("amount, text", [(1, "$1.00"), (True, "$0.00"), (1.0, "$1.00"), ([1], "$0.00"),
                                          ({"amount": 1}, "$0.00"), ("2.005", "$2.01"), (None, "$0.00")])
def test_format_money_formats_each_kind_of_value_its_own_way(amount, text):
    """As to_decimal: equal keys of different types apart, and the same answer twice in a row (the table)."""
    assert [fmt.format_money(amount, "usd") for _ in range(2)] == [text, text]


def test_the_conversion_tables_are_bounded():
    size = fmt._convert.cache_info().maxsize
    count = size + 10

    assert [fmt.to_decimal(float(n)) for n in range(count)] == [float(n) for n in range(count)]
    assert [fmt.format_money(n, "USD") for n in range(count)] == [f"${n:,}.00" for n in range(count)]
    assert fmt._convert.cache_info().currsize <= size and fmt._format.cache_info().currsize <= size
