"""The movement's office on the web (/admin): server-rendered pages for the provincial
secretariat, the emulation council and unit managers, on the same services the chat uses."""

from bot.admin.web import install

__all__ = ["install"]
