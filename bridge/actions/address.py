"""The shipping-address change, through the module's ``PUT /V1/gladly/orders/{id}/shipping-address``.

The module records the old and the new address on the order, and refuses once a shipment exists or the order
is finished (``Model/Order/ShippingAddressManagement.php``); ``can`` mirrors that refusal.
"""
from __future__ import annotations

from bridge.actions import forms
from bridge.actions.model import ActionForm
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import TextSection
from bridge.actions.operations import Operation
from bridge.actions.operations import by_agent
from bridge.magento.formatting import address_line
from bridge.magento.formatting import person_name
from bridge.magento.formatting import street_lines
from bridge.magento.orders import qty
from bridge.magento.orders import shipping_address

# The address inputs, in form order: (attr, label, required); Magento's order address fields and limits.
ADDRESS_INPUTS = (
    ("firstname", "First name", True),
    ("lastname", "Last name", True),
    ("company", "Company", False),
    ("street1", "Street", True),
    ("street2", "Street, line 2", False),
    ("city", "City", True),
    ("region", "State/Region", False),
    ("postcode", "ZIP/Postal code", True),
    ("country_id", "Country (two-letter code)", True),
    ("telephone", "Phone", True),
)
MAX_ADDRESS_FIELD = 255


def current_address(order: dict) -> dict[str, str]:
    """The order's shipping address as the form's values (attr -> text)."""
    address = shipping_address(order) or {}
    lines = street_lines(address.get("street"))
    values = {attr: str(address.get(attr) or "") for attr, _label, _required in ADDRESS_INPUTS}
    values.update(street1=lines[0] if lines else "", street2=", ".join(lines[1:]),
                  region=str(address.get("region_code") or address.get("region") or ""))
    return values


class ChangeAddress(Operation):
    """A new shipping address through the module's endpoint, which records the old and the new one."""

    name = "address"
    label = "Change shipping address"
    verb = "change the shipping address"
    done = "Shipping address changed"
    not_done = "the shipping address is unchanged"
    records_itself = True

    def can(self, order):
        # The module refuses once a shipment exists or the order is finished; nothing shipped means no shipment.
        return (order.get("state") not in ("complete", "closed", "canceled") and shipping_address(order) is not None
                and not any(qty(item, "qty_shipped") > 0 for item in order.get("items") or []))

    def form(self, order, action_url, context):
        """The current shipping address, pre-filled, to correct before anything ships."""
        current = current_address(order)
        name = person_name(current["firstname"], current["lastname"])
        sections = [TextSection(f"Order {order.get('increment_id')} has not shipped yet; it ships to {name}. "
                                "Magento records the old and the new address on the order.")]
        sections += [InputSection(label=label, attr=attr, default_value=current[attr],
                                  hint=None if required else "Optional",
                                  input=Input(type="text", placeholder=label, optional=not required))
                     for attr, label, required in ADDRESS_INPUTS]
        return ActionForm(title=f"Change the shipping address of order {order.get('increment_id')}",
                          submit_button="Change address", close_button="Close", action_url=action_url,
                          sections=sections)

    def read(self, payload, context):
        """Every required field filled, the country as a two-letter code; the Magento order address to send."""
        errors: dict[str, str] = {}
        values = {attr: " ".join(forms.text(payload, attr, errors).split())
                  for attr, _label, _required in ADDRESS_INPUTS}
        for attr, label, required in ADDRESS_INPUTS:
            if attr in errors:
                continue
            if required and not values[attr]:
                errors[attr] = f"Enter the {label.lower()}."
            elif len(values[attr]) > MAX_ADDRESS_FIELD:
                errors[attr] = f"Keep it under {MAX_ADDRESS_FIELD} characters."
        country = values["country_id"].upper()
        if "country_id" not in errors and not (len(country) == 2 and country.isalpha() and country.isascii()):
            errors["country_id"] = "Enter the two-letter country code, e.g. US or GB."
        forms.raise_if(errors)
        street = [line for line in (values.pop("street1"), values.pop("street2")) if line]
        return {**values, "country_id": country, "street": street}

    def write(self, client, run):
        return client.put(f"/V1/gladly/orders/{run.order_id}/shipping-address",
                          {"address": run.params, "note": f"from Gladly{by_agent(run.requester)}"})

    def happened(self, run):
        now = shipping_address(run.after) or {}
        same = all(str(now.get(key) or "").casefold() == str(run.params[key]).casefold()
                   for key in ("city", "postcode", "country_id"))
        return same and street_lines(now.get("street")) == run.params["street"]

    def describe(self, run):
        saved = run.reply if isinstance(run.reply, dict) else run.params
        return f"Order {run.order.get('increment_id')} now ships to {address_line(saved)}."
