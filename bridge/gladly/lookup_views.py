"""``POST /gladly/lookup``: Gladly's auto-link, Basic Search and Detailed Lookup (gladly-lookup-adaptor.md §2, §3)."""
from __future__ import annotations

import logging

from flask import Blueprint
from flask import current_app
from flask import g
from flask import request

from bridge.actions.offer import lookup_action_hooks
from bridge.gladly.auth import gladly_signed
from bridge.gladly.dump import compile_dump
from bridge.gladly.requests import load_lookup_request
from bridge.gladly.requests import parse_body
from bridge.gladly.responses import LookupResponseSchema
from bridge.lookup.matching import same_phone
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import LookupQuery
from bridge.lookup.model import Profile
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.registry import get_client

log = logging.getLogger(__name__)

bp = Blueprint("gladly", __name__, url_prefix="/gladly")
dump_response = compile_dump(LookupResponseSchema())


@bp.post("/lookup")
@gladly_signed
def lookup():
    """Answer one lookup; no match is ``200 {"results": []}`` (§3.2)."""
    # Any Content-Type: Gladly's is not ours to insist on (§2.4 rule 8); the body was verified raw.
    query = load_lookup_request(parse_body(request.get_data()))
    g.lookup_kind = query.kind  # for the request's log line and metrics (bridge/ops/logs.py)
    client = get_client()
    # The connected store's URL, which activation may have set without BRIDGE_MAGENTO_URL.
    settings = LookupSettings.from_config(current_app.config, magento_url=client.base_url)
    profiles = run_lookup(query, client, settings, **lookup_action_hooks(current_app.config, client))
    results = enforce_cardinality(query, profiles)
    g.outcome = "found" if results else "not_found"
    return dump_response({"results": results})


def enforce_cardinality(query: LookupQuery, profiles: list[Profile]) -> list[Profile]:
    """The profiles Gladly may receive for ``query`` (§3.2), a safety net behind the lookup service."""
    if query.kind == DETAILED and len(profiles) > 1:
        log.warning("detailed lookup matched %d profiles; answering none", len(profiles))
        return []
    if query.kind == AUTO_LINK:
        if len(profiles) > 1:
            log.info("auto-link matched %d profiles; answering none", len(profiles))
            return []
        if profiles and not _confirms_link(query, profiles[0]):
            log.info("auto-link candidate shares no email or mobile phone with the Gladly profile; answering none")
            return []
    return profiles


def _confirms_link(query: LookupQuery, profile: Profile) -> bool:
    """Whether the profile has an email, or a MOBILE phone, equal to one on the Gladly profile (§3.2)."""
    emails = {email.casefold() for email in query.emails}
    if any(email.casefold() in emails for email in profile.emails):
        return True
    # §2.4 rule 7: Gladly sends E.164, Magento keeps phones as typed; the matcher's rule decides equality.
    # Only MOBILE numbers auto-link (§3.1).
    return any(same_phone(wanted, phone.number) for wanted in query.phones
               for phone in profile.phones if phone.type == "MOBILE")
