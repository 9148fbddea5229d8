"""The one base of every error tightrope raises for input or a request it refuses.

Each subclass carries a message that names the field and the value; the CLI prints any of them
as one line and exits with code 2, and notebook users can catch them all as ``TightropeError``.
"""

from __future__ import annotations


class TightropeError(Exception):
    """Input or a request that tightrope refuses; the message says why."""
