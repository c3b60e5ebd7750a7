"""Storage (placeholder until the database layer lands)."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Bind storage to the app."""
