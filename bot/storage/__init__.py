"""Persistence: SQLAlchemy models, repositories (keyword-only data functions) and migrations."""
