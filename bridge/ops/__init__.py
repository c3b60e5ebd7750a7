"""Running the bridge: health, readiness and metrics, logs, the OpenAPI document, the gunicorn worker."""
