"""gatekeeper: a security gate for mobile-, web- and AI-originated commits."""

from __future__ import annotations

__version__ = "0.1.0"

from gatekeeper import startup_cache as _startup_cache  # (its file is bound to __version__, set above)

# Every hook and CLI run is a new process: what it would compile again at start-up is read compiled, when the
# start-up cache was built for this interpreter (gatekeeper.startup_cache; without one nothing changes).
_startup_cache.activate(__version__)
