"""SandboxStore: the in-memory state behind the sandbox app, shared by every request thread."""

import copy
import random
import threading
import time
from collections import Counter

from . import activation
from .data import build_dataset
from .integrations import RESOURCES
from .integrations import IntegrationRegistry

FAULT_MODES = ("timeout", "500", "after_commit_timeout", "slow")
REPLY_CACHE_SIZE = 2048
# The module's Gladly AI settings as etc/config.xml installs them (Stores > Configuration > Gladly > Gladly AI).
AI_DEFAULTS = {"ai_actions": ["lookup"], "ai_refund_max": 50, "ai_refund_daily_max": 200, "ai_order_max_age_days": 0,
               "ai_coupon_period_days": 90, "ai_coupon_rule": 0}


class SandboxStore:
    """Dataset, integrations, ACL grants, latency/fault settings and call statistics.

    Every mutation runs under `self.lock` (one lock for everything keeps the rules simple).
    """

    def __init__(self, dataset="sample", *, credentials=None, deny=(), clock=time.time, seed=0):
        self.lock = threading.RLock()
        # Rendering sales documents dominates the sandbox's CPU; identical reads of unchanged data are
        # answered from this cache, so a benchmark measures the bridge rather than the test double.
        self.version = 0
        self._replies = {}
        self.clock = clock
        self.dataset_name = dataset
        self.data = build_dataset(dataset)
        self.registry = IntegrationRegistry(clock)
        self.denied = set(deny)
        creds = credentials or {}
        self.integration = self.registry.add_manual(
            self.default_grants(), creds.get("consumer_key"), creds.get("consumer_secret"),
            creds.get("access_token"), creds.get("access_token_secret"))
        self.base_url = None  # set by the CLI; runtime activation falls back to the request host
        self.bridge_url = ""
        self.setup_code = ""  # what a merchant saved in the companion module's configuration
        # The module endpoints GET /V1/gladly/config publishes; an older module publishes fewer.
        self.module_capabilities = ["order_address", "goodwill_coupon", "profile_v1"]
        self.coupon_rule_ids = [1, 2]  # the module's "Goodwill Coupon Rules"
        self.coupon_limit = 1  # the module's "Goodwill Coupons per Customer" and "Goodwill Coupon Period (Days)"
        self.coupon_period_days = 30
        self.ai = dict(AI_DEFAULTS)  # the module's Gladly AI limits, published in GET /V1/gladly/config
        self.latency_ms = 0
        self.fault_rate = 0.0
        self.fault_mode = "500"  # what a random fault does: "500", or "timeout" (hang, then 500)
        self.fail_next = []
        self.hang_seconds = 30.0  # how long "timeout" faults stall a request
        self.random = random.Random(seed)
        self.calls = Counter()

    @property
    def credentials(self):
        """Return the four values of the initial integration."""
        return {"consumer_key": self.integration.consumer_key,
                "consumer_secret": self.integration.consumer_secret,
                "access_token": self.integration.token.token,
                "access_token_secret": self.integration.token.secret}

    @property
    def verifier_ttl(self):
        """Seconds between the activation POST and /oauth/token/request (300 in Magento)."""
        return self.registry.verifier_ttl

    @verifier_ttl.setter
    def verifier_ttl(self, seconds):
        self.registry.verifier_ttl = seconds

    def now(self):
        """Return the store clock as Magento's "YYYY-MM-DD HH:MM:SS" UTC text."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.clock()))

    def default_grants(self):
        """Return the resources a new integration gets: all except the store-wide denials."""
        return set(RESOURCES) - self.denied

    def deny(self, *resources, consumer_key=None):
        """Withdraw resources from one integration, or from all current and future ones."""
        with self.lock:
            targets = self.registry.integrations.values()
            if consumer_key is None:
                self.denied.update(resources)
            else:
                targets = [self.registry.by_key[consumer_key]]
            for integration in targets:
                integration.grants.difference_update(resources)

    def grant(self, *resources, consumer_key=None):
        """Give resources back to one integration, or to all current and future ones."""
        with self.lock:
            targets = self.registry.integrations.values()
            if consumer_key is None:
                self.denied.difference_update(resources)
            else:
                targets = [self.registry.by_key[consumer_key]]
            for integration in targets:
                integration.grants.update(resources)

    def reset(self):
        """Restore the dataset; integrations, tokens and nonces are kept."""
        with self.lock:
            self.data = build_dataset(self.dataset_name)
            self.changed()

    def changed(self):
        """Note a write: cached GET replies describe the old data and are dropped."""
        with self.lock:
            self.version += 1
            self._replies.clear()

    def cached_reply(self, key):
        """The serialised reply of an identical earlier GET on unchanged data, or None."""
        return self._replies.get(key)

    def keep_reply(self, key, version, body):
        """Remember a GET reply rendered at ``version`` (bounded; a later write clears it)."""
        with self.lock:
            if version == self.version and len(self._replies) < REPLY_CACHE_SIZE:
                self._replies[key] = body

    def count(self, route):
        """Record one call of a route."""
        with self.lock:
            self.calls[route] += 1

    def stats(self):
        """Return {"calls": N, "by_route": {...}}."""
        with self.lock:
            return {"calls": sum(self.calls.values()), "by_route": dict(self.calls)}

    def reset_stats(self):
        """Forget all counted calls."""
        with self.lock:
            self.calls.clear()

    def configure(self, settings):
        """Apply POST /sandbox/config settings and return the current ones."""
        with self.lock:
            self.changed()  # bridge_url, setup_code and coupon_rule_ids show in GET /V1/gladly/config
            if settings.get("fault_mode", "500") not in ("500", "timeout"):
                raise ValueError("fault_mode must be 500 or timeout")
            for name in ("latency_ms", "fault_rate", "fault_mode", "hang_seconds", "verifier_ttl", "bridge_url",
                         "setup_code", "coupon_rule_ids", "coupon_limit", "coupon_period_days"):
                if name in settings:
                    setattr(self, name, settings[name])
            unknown = set(settings.get("ai", {})) - set(AI_DEFAULTS)
            if unknown:
                raise ValueError(f"unknown ai settings {sorted(unknown)}")
            self.ai.update(settings.get("ai", {}))
            for fault in settings.get("fail_next", ()):
                if fault.get("mode") not in FAULT_MODES:
                    raise ValueError(f"fail_next mode must be one of {FAULT_MODES}")
                self.fail_next.append({"route_contains": fault.get("route_contains", ""),
                                       "mode": fault["mode"]})
            return {"latency_ms": self.latency_ms, "fault_rate": self.fault_rate, "fault_mode": self.fault_mode,
                    "hang_seconds": self.hang_seconds, "verifier_ttl": self.verifier_ttl,
                    "bridge_url": self.bridge_url, "setup_code": self.setup_code,
                    "coupon_rule_ids": list(self.coupon_rule_ids), "coupon_limit": self.coupon_limit,
                    "coupon_period_days": self.coupon_period_days, "fail_next": copy.deepcopy(self.fail_next),
                    "ai": dict(self.ai), "denied": sorted(self.denied)}

    def take_fault(self, method, path):
        """Return the fault mode for this call: a queued fail_next match, a random GET fault, or None."""
        with self.lock:
            for fault in self.fail_next:
                if fault["route_contains"] in path:
                    self.fail_next.remove(fault)
                    return fault["mode"]
            if method == "GET" and self.fault_rate and self.random.random() < self.fault_rate:
                return self.fault_mode
            return None

    def activate(self, endpoint_url, identity_url=None, base_url=None):
        """Create a new integration and POST its credentials (the admin's Activate, §1.2)."""
        with self.lock:
            integration = self.registry.add_for_exchange(self.default_grants(), endpoint_url,
                                                         identity_url)
        return self._post(integration, base_url)

    def reauthorize(self, consumer_key=None, base_url=None):
        """Revoke the token and re-POST the same consumer with a new verifier (§1.5)."""
        with self.lock:
            integration = self.registry.by_key[consumer_key] if consumer_key else next(
                i for i in reversed(self.registry.integrations.values()) if i.endpoint_url)
        return self._post(integration, base_url)

    def _post(self, integration, base_url):
        with self.lock:
            verifier = self.registry.start_exchange(integration)
            if not self.bridge_url:
                # the companion module publishes the bridge's origin (GET /V1/gladly/config)
                self.bridge_url = "/".join(integration.endpoint_url.split("/", 3)[:3])
        # The lock is released for the POST: the bridge may call /oauth/token/request meanwhile.
        status, error = activation.post_credentials(
            integration.endpoint_url, integration.consumer_key, integration.consumer_secret,
            base_url or self.base_url, verifier)
        result = {"consumer_key": integration.consumer_key, "post_status": status}
        if error:
            result["error"] = error
        return result

