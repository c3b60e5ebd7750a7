"""Integrations, consumers, tokens and nonces: Magento's side of OAuth (magento-rest.md §1, §2).

Messages follow FWOAUTH/Oauth.php, INT/Model/Oauth/Token/Provider.php and Nonce/Generator.php;
statuses follow §2.3 (input errors 400, authentication errors 401).
"""

import secrets
import string
from dataclasses import dataclass
from dataclasses import field

from . import oauth
from .errors import MagentoError
from .errors import required_field

# Every ACL resource a sandbox route can require (magento-rest.md §4, §16; Gladly_Connector::config and
# ::order_address are the companion module's own resources).
RESOURCES = (
    "Magento_Customer::customer",
    "Magento_Sales::actions_view",
    "Magento_Sales::comment",
    "Magento_Sales::cancel",
    "Magento_Sales::emails",
    "Magento_Sales::hold",
    "Magento_Sales::unhold",
    "Magento_Sales::creditmemo",
    "Magento_Sales::sales_invoice",
    "Magento_Sales::shipment",
    "Magento_Sales::sales_creditmemo",
    "Magento_Catalog::products",
    "Magento_Backend::store",
    "Gladly_Connector::config",
    "Gladly_Connector::order_address",
    "Gladly_Connector::goodwill_coupon",
)

TOKEN_LENGTH = 32
TIME_DEVIATION = 600  # Nonce/Generator.php: timestamps up to 600 s ahead are accepted
SIGNATURE_METHOD = "HMAC-SHA256"  # the only method since 2.4.4 (§2.1)
REQUIRED = ("oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_nonce",
            "oauth_timestamp")


def random_token():
    """Return a 32-character [0-9a-z] value, the format of every Magento OAuth secret (§1.4)."""
    alphabet = string.digits + string.ascii_lowercase
    return "".join(secrets.choice(alphabet) for _ in range(TOKEN_LENGTH))


def oauth_error(message, *parameters):
    """Return a 401 OauthException."""
    return MagentoError(401, message, list(parameters) or None)


def input_error(message, *parameters):
    """Return a 400 OauthInputException."""
    return MagentoError(400, message, list(parameters) or None)


@dataclass
class Token:
    """One oauth_token row: verifier, request or access type."""

    consumer_id: int
    kind: str
    token: str = field(default_factory=random_token)
    secret: str = field(default_factory=random_token)
    verifier: str = field(default_factory=random_token)
    revoked: bool = False


@dataclass
class Integration:
    """An integration with its consumer, current token and granted ACL resources."""

    id: int
    consumer_key: str
    consumer_secret: str
    grants: set
    active: bool = False
    token: Token | None = None
    endpoint_url: str | None = None
    identity_url: str | None = None
    consumer_updated_at: float = 0.0


class IntegrationRegistry:
    """All integrations of the store; callers hold the store lock."""

    def __init__(self, clock, verifier_ttl=300):
        self.clock = clock
        self.verifier_ttl = verifier_ttl  # oauth/consumer/expiration_period (§1.2)
        self.integrations = {}
        self.by_key = {}
        self.tokens = {}
        self.nonces = set()

    def _create(self, grants, key=None, secret=None):
        integration = Integration(
            id=len(self.integrations) + 1,
            consumer_key=key or random_token(),
            consumer_secret=secret or random_token(),
            grants=set(grants),
            consumer_updated_at=self.clock(),
        )
        self.integrations[integration.id] = integration
        self.by_key[integration.consumer_key] = integration
        return integration

    def _replace_token(self, integration, token):
        if integration.token:
            self.tokens.pop(integration.token.token, None)
        integration.token = token
        self.tokens[token.token] = token

    def add_manual(self, grants, key=None, secret=None, token=None, token_secret=None):
        """Create an active integration with a ready access token (the TokensDialog mode, §1.1)."""
        integration = self._create(grants, key, secret)
        access = Token(integration.id, "access")
        access.token = token or access.token
        access.secret = token_secret or access.secret
        self._replace_token(integration, access)
        integration.active = True
        return integration

    def add_for_exchange(self, grants, endpoint_url, identity_url):
        """Create an inactive integration awaiting the token exchange (§1.1 TokensExchange)."""
        integration = self._create(grants)
        integration.endpoint_url, integration.identity_url = endpoint_url, identity_url
        return integration

    def start_exchange(self, integration):
        """Revoke the integration's token, deactivate it and issue a fresh verifier (§1.5)."""
        if integration.token:
            integration.token.revoked = True
        integration.active = False
        integration.token = Token(integration.id, "verifier")
        integration.consumer_updated_at = self.clock()  # the POST stamps updated_at (§1.2)
        return integration.token.verifier

    def _check_protocol(self, params, required):
        """Run Oauth.php::_validateProtocolParams and the nonce check; return the integration."""
        if "oauth_version" in params and params["oauth_version"] != "1.0":
            raise input_error('The "%1" Oauth version isn\'t supported. Verify and try again.',
                              params["oauth_version"])
        for name in required:
            if not params.get(name):
                raise required_field(name)
        if "oauth_token" in params and len(params["oauth_token"]) != TOKEN_LENGTH:
            raise input_error("The token length is invalid. Check the length and try again.")
        if params["oauth_signature_method"] != SIGNATURE_METHOD:
            raise input_error("Signature method %1 is not supported", params["oauth_signature_method"])
        if len(params["oauth_consumer_key"]) != TOKEN_LENGTH:
            raise input_error("Consumer key is not the correct length")
        integration = self.by_key.get(params["oauth_consumer_key"])
        if integration is None:
            raise oauth_error("A consumer having the specified key does not exist")
        self._check_nonce(integration, params["oauth_nonce"], params["oauth_timestamp"])
        return integration

    def _check_nonce(self, integration, nonce, timestamp):
        """Validate the timestamp window and record the nonce (Nonce/Generator.php::validateNonce)."""
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = 0
        if stamp <= 0 or stamp > self.clock() + TIME_DEVIATION:
            raise input_error("Incorrect timestamp value in the oauth_timestamp parameter")
        if len(nonce) > TOKEN_LENGTH:
            # oauth_nonce.nonce is VARCHAR(32); Magento reports the failed insert this way (§1.4)
            raise oauth_error("An error occurred validating the nonce")
        if (nonce, integration.id) in self.nonces:
            raise oauth_error("The nonce is already being used by the consumer with ID %1",
                              integration.id)
        # Recorded before the signature check, so a badly signed request still uses up its nonce.
        self.nonces.add((nonce, integration.id))

    def _token_for(self, integration, value):
        token = self.tokens.get(value)
        if token is None:
            raise oauth_error("Specified token does not exist")
        if token.consumer_id != integration.id:
            raise oauth_error("Token is not associated with the specified consumer")
        return token

    @staticmethod
    def _check_signature(params, method, url, integration, token_secret=""):
        if not oauth.signature_matches(method, url, params, integration.consumer_secret,
                                       token_secret):
            raise oauth_error("The signature is invalid. Verify and try again.")

    def verify_access(self, params, method, url):
        """Verify a signed REST call and return its integration (Oauth.php::validateAccessTokenRequest)."""
        integration = self._check_protocol(params, REQUIRED + ("oauth_token",))
        token = self._token_for(integration, params["oauth_token"])
        if token.kind != "access":
            raise oauth_error("Token is not an access token")
        if token.revoked:
            raise oauth_error("Access token has been revoked")
        self._check_signature(params, method, url, integration, token.secret)
        return integration

    def issue_request_token(self, params, method, url):
        """Answer POST /oauth/token/request: verifier token becomes a request token (§1.4 step 1)."""
        integration = self._check_protocol(params, REQUIRED)
        if self.clock() - integration.consumer_updated_at > self.verifier_ttl:
            raise oauth_error("Consumer key has expired")
        self._check_signature(params, method, url, integration)
        if integration.token is None or integration.token.kind != "verifier":
            raise oauth_error(
                "Cannot create request token because consumer token is not a verifier token")
        request = Token(integration.id, "request", verifier=integration.token.verifier)
        self._replace_token(integration, request)
        return request

    def issue_access_token(self, params, method, url):
        """Answer POST /oauth/token/access: request token becomes the permanent access token (step 2)."""
        integration = self._check_protocol(params, REQUIRED + ("oauth_token", "oauth_verifier"))
        token = self._token_for(integration, params["oauth_token"])
        if token.kind != "request":
            raise oauth_error("Token is already being used")
        if len(params["oauth_verifier"]) != TOKEN_LENGTH:
            raise input_error("Verifier is invalid")
        if params["oauth_verifier"] != token.verifier:
            raise oauth_error("Token verifier and verifier token do not match")
        self._check_signature(params, method, url, integration, token.secret)
        access = Token(integration.id, "access")
        self._replace_token(integration, access)
        integration.active = True
        return access
