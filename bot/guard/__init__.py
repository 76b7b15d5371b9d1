"""Checks at the HTTP boundary, before any work: request size, time and JSON nesting limits,
security headers on the pages, and slow clients cut off (see docs/SECURITY.md)."""
