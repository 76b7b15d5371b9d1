"""Questions in free text, the topic browser (/hoidap) and the answer's follow-ups.

Button actions (short ASCII, within Telegram's 64 bytes): `kb:th:<theme>:<page>` a page of a
theme's topics, `kb:t:<slug>` a topic's answer, `kb:m:<slug>` its detail ("Xem thêm"),
`kb:f:<slug>:1|0` 👍/👎 on an answer.
"""

from __future__ import annotations

from bot.content.answers import Answer, AnswerKind
from bot.content.markdown import to_plain
from bot.content.model import Topic
from bot.content.store import ContentInvalid
from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, text
from bot.handlers.common import main_menu

PAGE_SIZE = 6
RELATED_SHOWN = 3


def _browse_row(ctx: Context) -> list[Button]:
    return [Button(ctx.t("faq.browse"), "cmd:hoidap")]


def _topic_button(topic: Topic, label: str | None = None) -> list[Button]:
    return [Button(label or topic.title, f"kb:t:{topic.slug}")]


def _related_rows(ctx: Context, topic: Topic) -> list[list[Button]]:
    knowledge = ctx.services.knowledge.knowledge()
    rows = []
    for slug in topic.related[:RELATED_SHOWN]:
        related = knowledge.topic(slug)
        if related is not None:
            rows.append(_topic_button(related, ctx.t("faq.related", title=related.title)))
    return rows


def topic_reply(ctx: Context, topic: Topic) -> Text:
    """A topic's short answer with "Xem thêm", related topics and the 👍/👎 question."""
    t = ctx.t
    rows: list[list[Button]] = []
    if topic.detail:
        rows.append([Button(t("faq.more"), f"kb:m:{topic.slug}")])
    rows.extend(_related_rows(ctx, topic))
    rows.append(
        [
            Button(t("faq.helpful_yes"), f"kb:f:{topic.slug}:1"),
            Button(t("faq.helpful_no"), f"kb:f:{topic.slug}:0"),
        ]
    )
    rows.append(_browse_row(ctx))
    answer = t.addressed(to_plain(topic.answer))
    body = f"{topic.title}\n\n{answer}\n\n{t('faq.helpful_question')}"
    return text(body, *rows)


def _detail_reply(ctx: Context, topic: Topic) -> Text:
    t = ctx.t
    rows = [*_related_rows(ctx, topic), _browse_row(ctx)]
    if not topic.detail:
        return text(t("faq.no_detail"), *rows)
    sources = "\n".join(f"• {source.title}: {source.url}" for source in topic.sources)
    body = "\n\n".join(
        [
            t("faq.detail_title", title=topic.title),
            t.addressed(to_plain(topic.detail)),
            f"{t('faq.sources')}\n{sources}",
            t("faq.reviewed", date=fmt_date(topic.reviewed)),
        ]
    )
    return text(body, *rows)


def _not_sure_reply(ctx: Context, answer: Answer) -> Text:
    rows = [_topic_button(topic) for topic in answer.suggestions]
    key = "faq.not_sure" if rows else "faq.not_found"
    return text(ctx.t(key), *rows, _browse_row(ctx), [Button(ctx.t("faq.main_menu"), "cmd:menu")])


async def on_free_text(ctx: Context) -> Reply:
    """Free text outside any flow: a question for the knowledge base, or small talk."""
    try:
        answer = await ctx.services.knowledge.ask(ctx.text, asker_id=ctx.user.id)
    except ContentInvalid:
        return Text(ctx.t("faq.unavailable"))
    if answer.kind is AnswerKind.SMALLTALK:
        kind = answer.smalltalk or "ack"
        if kind in ("greeting", "identity"):
            return main_menu(ctx, ctx.t(f"faq.smalltalk.{kind}"))
        return text(ctx.t(f"faq.smalltalk.{kind}"), _browse_row(ctx))
    if answer.kind is AnswerKind.TOPIC and answer.topic is not None:
        return topic_reply(ctx, answer.topic)
    return _not_sure_reply(ctx, answer)


async def show_themes(ctx: Context) -> Reply:
    """/hoidap and "Tìm hiểu chuyển đổi số": the theme list."""
    ctx.finish()
    try:
        await ctx.services.knowledge.refresh()
        themes = ctx.services.knowledge.themes()
    except ContentInvalid:
        return Text(ctx.t("faq.unavailable"))
    rows = [[Button(theme.title, f"kb:th:{theme.id}:1")] for theme in themes]
    return text(ctx.t("faq.themes_title"), *rows)


def _theme_page(ctx: Context, theme_id: str, page: int) -> Reply:
    knowledge = ctx.services.knowledge
    topics = knowledge.topics_in(theme_id)
    if not topics:
        return text(ctx.t("common.stale_button"), _browse_row(ctx))
    pages = (len(topics) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    shown = topics[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [_topic_button(topic) for topic in shown]
    paging = []
    if page > 1:
        paging.append(Button(ctx.t("faq.prev"), f"kb:th:{theme_id}:{page - 1}"))
    if page < pages:
        paging.append(Button(ctx.t("faq.next"), f"kb:th:{theme_id}:{page + 1}"))
    rows.append(paging)
    rows.append([Button(ctx.t("faq.back_themes"), "cmd:hoidap")])
    title = knowledge.knowledge().theme_title(theme_id)
    return text(ctx.t("faq.theme_topics", theme=title, page=page, pages=pages), *rows)


async def on_kb_action(ctx: Context) -> Reply:
    """The browser's and the answers' buttons."""
    args = ctx.action_args
    kind, rest = (args[0], args[1:]) if args else ("", [])
    try:
        await ctx.services.knowledge.refresh()
        if kind == "th" and len(rest) == 2 and rest[1].isdigit():
            return _theme_page(ctx, rest[0], int(rest[1]))
        if kind in ("t", "m", "f") and rest:
            topic = ctx.services.knowledge.topic(rest[0])
            if topic is None:
                return text(ctx.t("faq.topic_gone"), _browse_row(ctx))
            if kind == "t":
                return topic_reply(ctx, topic)
            if kind == "m":
                return _detail_reply(ctx, topic)
            if len(rest) == 2 and rest[1] in ("0", "1"):
                return await _feedback(ctx, topic, helpful=rest[1] == "1")
    except ContentInvalid:
        return Text(ctx.t("faq.unavailable"))
    return Text(ctx.t("common.stale_button"))


async def _feedback(ctx: Context, topic: Topic, *, helpful: bool) -> Reply:
    await ctx.services.knowledge.record_feedback(topic.slug, helpful=helpful)
    if helpful:
        return Text(ctx.t("faq.feedback_yes"))
    return text(ctx.t("faq.feedback_no"), *_related_rows(ctx, topic), _browse_row(ctx))
