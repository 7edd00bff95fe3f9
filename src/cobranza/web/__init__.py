"""The FastAPI application: REST API, webhooks and the owner dashboard."""
