"""``make bench-magento``: the lookup call plans measured on a production-like Magento with a generated store."""
