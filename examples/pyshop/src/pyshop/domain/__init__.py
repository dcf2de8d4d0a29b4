"""The domain's public face: other modules import from here."""

from .order import Order, total

__all__ = ["Order", "total"]
