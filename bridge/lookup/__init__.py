"""Lookup logic between Gladly and Magento: matching shoppers and building detailed profiles."""
