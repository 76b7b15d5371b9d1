"""The knowledge base as plain data: topics, themes and daily tips, as loaded from content files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Source:
    """An official page a fact comes from: the exact page, the document's number and dates."""

    title: str
    url: str
    number: str | None = None  # the document's number ("91/2025/QH15"), when it has one
    issued: date | None = None  # when the document or article was issued or published
    checked: date | None = None  # when an editor last confirmed the page says what we cite


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of topics in the topic browser."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Topic:
    """One knowledge-base entry: the short answer, the detail and how people ask for it."""

    slug: str
    title: str
    theme: str
    audience: str
    sector: str
    related: tuple[str, ...]
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: date
    answer: str
    detail: str


@dataclass(frozen=True, slots=True)
class Tip:
    """A "Mẹo số mỗi ngày": short advice with its source and, when there is one, its topic."""

    id: str
    text: str
    topic: str | None
    source_title: str
    source_url: str


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """The validated content; `version` fingerprints the files it came from."""

    topics: dict[str, Topic]
    themes: tuple[Theme, ...]
    tips: tuple[Tip, ...]
    version: str
    by_theme: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def topic(self, slug: str) -> Topic | None:
        """The topic with `slug`, if there is one."""
        return self.topics.get(slug)

    def theme_title(self, theme_id: str) -> str:
        """The display title of a theme (its id if unknown)."""
        return next((theme.title for theme in self.themes if theme.id == theme_id), theme_id)
