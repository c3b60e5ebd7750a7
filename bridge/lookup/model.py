"""What a lookup asks and answers, in snake_case; ``bridge.gladly.requests`` and ``responses`` map it to
Gladly's wire format."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

AUTO_LINK = "auto_link"
SEARCH = "search"
DETAILED = "detailed"


@dataclass
class LookupQuery:
    """A normalised Gladly lookup request (gladly-lookup-adaptor.md §2.4)."""

    kind: str  # AUTO_LINK, SEARCH or DETAILED
    external_customer_id: str | None = None
    gladly_id: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)
    custom_attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Phone:
    number: str
    type: str = "MOBILE"  # MOBILE, HOME, OFFICE or OTHER; only MOBILE auto-links


@dataclass
class Action:
    """An action button: its label and the relative URL of its form (§6.1)."""

    name: str
    form_url: str


@dataclass
class Address:
    name: str = ""
    phone: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    zip: str = ""


@dataclass
class OrderLine:
    id: str
    name: str
    sku: str
    quantity: float
    unit_price: str
    total: str
    status: str
    product_url: str | None = None
    image_url: str | None = None


@dataclass
class Fulfillment:
    product_ids: list[str]
    status: str
    carrier: str = ""
    shipping_speed: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    shipping_address: Address | None = None


@dataclass
class Refund:
    """One credit memo of an order."""

    number: str
    date: str  # YYYY-MM-DD
    amount: str  # formatted in the order currency
    online: bool  # refunded through the payment gateway, not recorded offline


@dataclass
class Order:
    """One ORDER transaction (§3.4) plus the keys Gladly has no documented name for."""

    order_number: str
    created_at: str
    order_status: str
    order_total: str
    currency_code: str
    order_link: str
    item_count: int
    discount: str
    fulfilled: str  # "Yes" or "No"
    shipping_method: str
    products: list[OrderLine] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    billing_address: Address | None = None
    shipping_address: Address | None = None
    payment_method: str = ""
    customer_order_url: str | None = None  # the shopper's own order page; registered customers only
    refunds: list[Refund] = field(default_factory=list)
    total_refunded: str = ""
    note: str = ""  # the newest comments of the order history


@dataclass
class Profile:
    """One result of a lookup."""

    external_customer_id: str
    name: str = ""
    address: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    custom_attributes: dict[str, str] = field(default_factory=dict)
    transactions: list[Order] | None = None  # DETAILED only
    actions: list[Action] | None = None  # DETAILED only
