"""The WhatsApp fixtures (fake Graph API, settings pointing at it) for job tests."""

from tests.channels.whatsapp.conftest import graph, settings

__all__ = ["graph", "settings"]
