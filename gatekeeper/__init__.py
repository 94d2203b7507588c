"""gatekeeper: a security gate for mobile-, web- and AI-originated commits."""

from __future__ import annotations

__version__ = "0.1.0"
