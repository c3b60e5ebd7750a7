"""Magento's activation POST to the integration's Endpoint URL (magento-rest.md §1.2)."""

import urllib.error
import urllib.parse
import urllib.request

POST_TIMEOUT = 5  # oauth/consumer/post_timeout


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """oauth/consumer/post_maxredirects = 0: a 30x is the final answer."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies: the sandbox posts to a bridge on the local machine or network.
_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def post_credentials(endpoint_url, consumer_key, consumer_secret, store_base_url, verifier):
    """POST the four form fields; return (HTTP status, None) or (None, transport error text)."""
    body = urllib.parse.urlencode({
        "oauth_consumer_key": consumer_key, "oauth_consumer_secret": consumer_secret,
        "store_base_url": store_base_url, "oauth_verifier": verifier}).encode()
    request = urllib.request.Request(
        endpoint_url, data=body, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with _OPENER.open(request, timeout=POST_TIMEOUT) as response:
            return response.status, None
    except urllib.error.HTTPError as error:  # any status, 30x included, is a delivered POST
        error.close()
        return error.code, None
    except (urllib.error.URLError, OSError) as error:
        return None, f"Unable to post data to consumer due to an unexpected error: {error}"
