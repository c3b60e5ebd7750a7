"""The preview page: what Gladly agents will see for a shopper, before Gladly is wired up."""
