"""Liveness endpoint for load balancers and start-up scripts."""
from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 once the app is up."""
    return {"status": "ok"}
