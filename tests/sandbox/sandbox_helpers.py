"""Helpers shared by the sandbox tests: query building and oauthlib as the independent signer."""

from dataclasses import dataclass
from urllib.parse import quote

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import Client

HOST = "http://localhost"


def query(params):
    """Percent-encode a query the way the bridge must (%20 for spaces, brackets encoded)."""
    return "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in params.items())


def criteria(*groups, sort=None, page_size=None, page=None, spelling="snake"):
    """Build searchCriteria query parameters; each group is a list of (field, value, condition)."""
    groups_key, condition_key = (("filter_groups", "condition_type") if spelling == "snake"
                                 else ("filterGroups", "conditionType"))
    params = {}
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[{groups_key}][{g}][filters][{f}]"
            params.update({f"{prefix}[field]": field, f"{prefix}[value]": value,
                           f"{prefix}[{condition_key}]": condition})
    for k, (field, direction) in enumerate(sort or []):
        params.update({f"searchCriteria[sortOrders][{k}][field]": field,
                       f"searchCriteria[sortOrders][{k}][direction]": direction})
    if page_size:
        params["searchCriteria[pageSize]"] = page_size
    if page:
        params["searchCriteria[currentPage]"] = page
    return params


def oauth_client(credentials, **overrides):
    """Return oauthlib's independent HMAC-SHA256 signer for a set of credentials."""
    settings = dict(client_key=credentials["consumer_key"],
                    client_secret=credentials["consumer_secret"],
                    resource_owner_key=credentials["access_token"],
                    resource_owner_secret=credentials["access_token_secret"],
                    signature_method=SIGNATURE_HMAC_SHA256)
    settings.update(overrides)
    return Client(**settings)


@dataclass
class Signed:
    """Send oauthlib-signed requests through the Flask test client."""

    client: object
    credentials: dict

    def __call__(self, method, path, params=None, json=None, raw_query=None, signer=None):
        qs = raw_query if raw_query is not None else query(params or {})
        uri = HOST + path + (f"?{qs}" if qs else "")
        signer = signer or oauth_client(self.credentials)
        uri, headers, _ = signer.sign(uri, method)
        return self.client.open(uri[len(HOST):], method=method, headers=headers, json=json)
