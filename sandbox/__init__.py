"""SANDBOX STORE: a test double that imitates Magento 2 REST shapes and OAuth rules; it is NOT Magento.

Run it with `python -m sandbox`, or build it in-process:

    store = SandboxStore("sample")
    app = create_sandbox_app(store)

It depends only on Flask, Werkzeug and the standard library, so it stays independent of the
bridge it is used to test. Where magento-rest.md marks a fact [I] or [U], the sandbox picks one
reading and says so next to the code; in particular null-valued keys are omitted (older 2.4
behaviour), base_* amounts equal the order amounts (base currency = order currency, tax 0), and
the wording of the online-refund refusal and of some token errors is the sandbox's own guess.
"""

from .app import create_sandbox_app
from .store import SandboxStore

__all__ = ["SandboxStore", "create_sandbox_app"]
