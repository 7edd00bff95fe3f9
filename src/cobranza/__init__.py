"""cobranza: collections (dunning) over WhatsApp for small businesses."""

__version__ = "0.1.0"
