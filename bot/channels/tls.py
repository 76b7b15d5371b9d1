"""One TLS context for every platform client of the process.

httpx builds a new `ssl.SSLContext` for each client it creates, and loading the system's
certificate authorities into it costs about 30 ms of CPU. A Telegram `Bot` holds two clients
(updates and everything else), and `serve` builds one bot to check the token before listening
and another to run the channel: four loads before the first answer, a tenth of a second of a
start-up that must stay under two seconds. The context is the same for all of them (certifi's
authorities, verification on), and `SSLContext` may be shared between connections and threads,
so it is made once, on first use, and handed to each client as `verify`.
"""

from __future__ import annotations

import ssl
import threading

_context: ssl.SSLContext | None = None
_lock = threading.Lock()


def shared_context() -> ssl.SSLContext:
    """The process's verifying TLS context (built on the first call)."""
    global _context
    with _lock:
        if _context is None:
            import httpx

            # httpx's own default (certifi's bundle, hostname check on), built the same way.
            _context = httpx.create_ssl_context()
        return _context
