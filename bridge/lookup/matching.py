"""Finding shoppers: auto-link and agent search candidates from emails, phones, names and order numbers.

Every query runs in ONE concurrent stage (magento-rest.md §5, §6); the bridge then compares in Python
what Magento cannot (phone formats, guest orders without a customer).
"""
from __future__ import annotations

import re

from bridge.lookup import mapping as detail
from bridge.lookup.model import Profile
from bridge.magento import resources
from bridge.magento.formatting import digits
from bridge.magento.resources import CUSTOMER_FIELDS
from bridge.magento.resources import OWNER_ORDER_FIELDS
from bridge.magento.search import MAX_INDEX
from bridge.magento.search import SearchCriteria

# Enough rows to see every website's account for an email and to tell a unique match from an ambiguous
# one; agent search results are capped at SEARCH_LIMIT afterwards.
MATCH_PAGE_SIZE = 50
# Guest orders come newest first and several may share an email; 300 is Magento's largest page (§3.2).
GUEST_ORDER_PAGE_SIZE = 300
PHONE_TAIL = 7  # digits that identify a subscriber line within an area code
INCREMENT_ID_WIDTH = 9  # Magento's default order number, "000000003"


def normalise_emails(emails: list[str]) -> list[str]:
    """Lower-cased, de-duplicated addresses; Magento's email comparison is case-insensitive."""
    return list(dict.fromkeys(e.strip().lower() for e in emails if "@" in e and "," not in e))


def same_phone(a: str | None, b: str | None) -> bool:
    """Whether two numbers are the same line: equal digits, or a national number (trunk ``0`` dropped) equal
    to an international one minus its 1–3 digit country code, so ``512-555-1111`` equals ``+15125551111``."""
    first, second = _international_digits(a), _international_digits(b)
    if not first or not second:
        return False
    if first == second:
        return True
    if (a or "").strip().startswith(("+", "00")) and (b or "").strip().startswith(("+", "00")):
        return False  # both carry a country code: they had to be equal
    short, long = sorted((first, second), key=len)
    short = short.removeprefix("0")
    return len(short) >= PHONE_TAIL and long.endswith(short) and 1 <= len(long) - len(short) <= 3


def phone_pattern(phone: str) -> str | None:
    """A ``like`` pattern on the last seven digits with ``%`` between them, since Magento stores phones as
    typed (``512-555-1111``, ``(512) 555 1111``; §5); None for numbers too short to search."""
    tail = digits(phone)[-PHONE_TAIL:]
    return "%" + "%".join(tail) if len(tail) == PHONE_TAIL else None


def name_pattern(name: str) -> str | None:
    """``%Jane%Doe%`` for "Jane Doe" (``name`` is first, middle and last name joined, §5); None when blank."""
    words = re.sub(r"[%_]", " ", name).split()
    return "%" + "%".join(words) + "%" if len("".join(words)) >= 2 else None


def order_number_variants(numbers: list[str]) -> list[str]:
    """Order numbers as typed (split on commas and blanks, ``#`` dropped) plus, for short numeric ones,
    Magento's zero-padded form."""
    variants = []
    for value in (word.lstrip("#") for number in numbers for word in re.split(r"[,\s]+", number)):
        if value:
            variants.append(value)
            if value.isdigit() and len(value) < INCREMENT_ID_WIDTH:
                variants.append(value.zfill(INCREMENT_ID_WIDTH))
    return list(dict.fromkeys(variants))


def find_candidates(query, client, deadline, *, search: bool) -> list[Profile]:
    """Customers and guest-only shoppers matching the query, in one concurrent stage.

    Auto-link matches by every email and phone; agent search also by names and order numbers. Several
    candidates (the same email on two websites) are all returned: the view then refuses to auto-link.
    """
    emails = normalise_emails(query.emails)
    # One ORed group holds at most ten filters (search.MAX_INDEX); Gladly sends a handful at most.
    phones = [phone for phone in query.phones if phone_pattern(phone)][:MAX_INDEX + 1]
    names = [pattern for pattern in map(name_pattern, query.names) if pattern][:MAX_INDEX + 1] if search else []
    numbers = order_number_variants(query.order_numbers) if search else []

    def customers(criteria: SearchCriteria):
        return lambda: _items(resources.get(client, "/V1/customers/search", resources.CUSTOMERS,
                                            criteria.limit(MATCH_PAGE_SIZE).fields(f"items[{CUSTOMER_FIELDS}]"),
                                            deadline=deadline))

    def orders(criteria: SearchCriteria, page_size: int):
        return lambda: _items(resources.get(client, "/V1/orders", resources.ORDERS,
                                            criteria.order_by("created_at", "DESC").limit(page_size)
                                            .fields(f"items[{OWNER_ORDER_FIELDS}]"), deadline=deadline))

    plan = {}
    if emails:
        plan["email"] = customers(SearchCriteria().where("email", emails, "in"))
        # Guest orders carry no customer_id; they are found by customer_email only (§6).
        plan["guest"] = orders(SearchCriteria().where("customer_email", emails, "in")
                               .where("customer_is_guest", 1), GUEST_ORDER_PAGE_SIZE)
    if phones:
        # Only the default billing address's phone is searchable (§5); the filters of one group are ORed.
        plan["phone"] = customers(SearchCriteria().any_of(
            [("billing_telephone", phone_pattern(phone), "like") for phone in phones]))
    if names:
        plan["name"] = customers(SearchCriteria().any_of([("name", pattern, "like") for pattern in names]))
    if numbers:
        plan["order"] = orders(SearchCriteria().where("increment_id", numbers, "in"), MATCH_PAGE_SIZE)
    if not plan:
        return []
    answers = dict(zip(plan, client.parallel(*plan.values()), strict=True))

    by_email = [c for c in answers.get("email", []) if (c.get("email") or "").lower() in emails]
    by_phone = [c for c in answers.get("phone", []) if _has_phone(c, phones)]
    registered = {(c.get("email") or "").lower() for c in by_email}
    guests = [o for o in answers.get("guest", []) if not o.get("customer_id")
              and (o.get("customer_email") or "").lower() not in registered]
    profiles = [*map(detail.customer_profile, by_email), *map(detail.guest_profile, guests),
                *map(detail.customer_profile, by_phone), *map(detail.customer_profile, answers.get("name", [])),
                *map(detail.order_owner_profile, answers.get("order", []))]
    # The first profile per id wins: a customer record before an order's copy of it, and (orders come
    # newest first) a guest's most recent order.
    unique: dict[str, Profile] = {}
    for profile in profiles:
        unique.setdefault(profile.external_customer_id, profile)
    return list(unique.values())


def _international_digits(phone: str | None) -> str:
    found = digits(phone)
    return found[2:] if (phone or "").strip().startswith("00") else found


def _has_phone(customer: dict, phones: list[str]) -> bool:
    return any(same_phone(address.get("telephone"), phone)
               for address in customer.get("addresses") or [] for phone in phones)


def _items(reply) -> list[dict]:
    return (reply or {}).get("items") or []
