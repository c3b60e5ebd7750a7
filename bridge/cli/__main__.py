"""``python -m bridge.cli``: the ``bridge`` console script, for a venv whose scripts are not on PATH."""
import sys

from bridge.cli import main

sys.exit(main())
