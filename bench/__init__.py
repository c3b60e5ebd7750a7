"""The lookup benchmark of issue 5: ``python -m bench`` (``make bench``); see bench/README.md."""
