"""SANDBOX STORE: a test double that imitates Magento 2 REST shapes and OAuth rules; it is NOT Magento.

Run it with `python -m bridge.sandbox`, or build it in-process:

    store = SandboxStore("sample")
    app = create_sandbox_app(store)

It depends only on Flask, Werkzeug and the standard library, so it stays independent of the
bridge it is used to test.
"""

from .app import create_sandbox_app
from .store import SandboxStore

__all__ = ["SandboxStore", "create_sandbox_app"]
