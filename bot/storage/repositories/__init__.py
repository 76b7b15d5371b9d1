"""Repositories: keyword-only data functions over a session. They never format messages."""
