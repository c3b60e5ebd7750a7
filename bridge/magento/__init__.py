"""The Magento side: the signed REST client, OAuth token exchange and response interpretation."""
