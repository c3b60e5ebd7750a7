"""The Gladly side: request signatures, the Lookup Adaptor wire formats and its views."""
