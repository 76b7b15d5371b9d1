"""Failures of the parts below the core that a caller answers by trying again later."""

from __future__ import annotations


class StorageUnavailable(RuntimeError):
    """The database could not be reached, or did not answer within its time-outs: nothing of the
    work was committed, and the same work can be retried once storage is back (a webhook answers
    503 so that the platform redelivers; the web chat asks the person to send again)."""
