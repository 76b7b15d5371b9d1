"""Fake platform servers (Telegram Bot API, Zalo Bot Platform, Zalo OA) over real loopback HTTP."""
