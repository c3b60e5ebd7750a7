"""POST /oauth/token/request and /oauth/token/access: Magento's half of the exchange (§1.4)."""

from urllib.parse import urlencode

from flask import Blueprint
from flask import Response
from flask import request

from . import oauth
from .errors import MagentoError
from .rest import raw_path
from .rest import store

bp = Blueprint("sandbox_tokens", __name__)


def _form(values, status=200):
    # Token replies are form-encoded text, never JSON (§1.4).
    return Response(urlencode(values), status, mimetype="application/x-www-form-urlencoded")


def _exchange(issue):
    sandbox = store()
    sandbox.count(f"POST {request.path}")
    form = (request.get_data(as_text=True)
            if request.mimetype == "application/x-www-form-urlencoded" else None)
    params = oauth.collect_params(
        oauth.parse_authorization(request.headers.get("Authorization")) or {},
        request.query_string.decode("utf-8", "replace"), form)
    url = oauth.normalize_url(request.scheme, request.host, raw_path())
    try:
        with sandbox.lock:
            token = issue(sandbox.registry, params, request.method, url)
    except MagentoError as error:  # Helper/Request.php::prepareErrorResponse
        return _form({"oauth_problem": error.text()}, error.status)
    return _form({"oauth_token": token.token, "oauth_token_secret": token.secret})


@bp.post("/oauth/token/request")
def request_token():
    """Turn the verifier into a request token; within verifier_ttl of the activation POST."""
    return _exchange(lambda registry, *args: registry.issue_request_token(*args))


@bp.post("/oauth/token/access")
def access_token():
    """Turn the request token into the permanent access token and activate the integration."""
    return _exchange(lambda registry, *args: registry.issue_access_token(*args))
