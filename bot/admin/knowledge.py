"""The knowledge-base desk (administrators): unanswered questions grouped by similarity with the
closest topics, "belongs to topic X" / "out of scope", the review queue and publishing, a preview
of how the bot answers any question, and review dates (stale ones flagged)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.rendering import page
from bot.admin.security import Forbidden, Gate, checked_form
from bot.app import BotApp
from bot.content.answers import AnswerKind
from bot.content.markdown import to_plain
from bot.services.console import ConsoleUser


def _admin(user: ConsoleUser) -> None:
    if not user.is_admin:
        raise Forbidden()


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin/kien-thuc and its forms."""
    router = APIRouter(prefix="/admin/kien-thuc", include_in_schema=False)
    services = bot.services
    desk = services.desk

    def _bank_dates() -> dict[str, date | None]:
        dates: dict[str, date | None] = {}
        for bank in services.quiz.banks.values():
            checked = [
                value
                for question in bank.questions
                if isinstance(value := getattr(question.source, "checked", None), date)
            ]
            dates[bank.title] = max(checked) if checked else None
        return dates

    @router.get("")
    async def desk_page(
        request: Request, cau: str = "", ket_qua: str = "", so: int = 0, loi: str = ""
    ) -> Response:
        user = await gate.require(request)
        _admin(user)
        await services.knowledge.refresh()
        groups = await desk.groups()
        closest = {}
        for group in groups[:50]:
            answer = await desk.preview(group.question)
            closest[group.question] = (
                [answer.topic] if answer.topic else list(answer.suggestions)
            )[:3]
        preview = None
        if cau.strip():
            answer = await desk.preview(cau[:500])
            preview = {
                "kind": answer.kind.value,
                "topic": answer.topic,
                "text": to_plain(answer.topic.answer) if answer.topic else "",
                "suggestions": answer.suggestions,
                "score": answer.score,
                "not_sure": answer.kind is AnswerKind.NOT_SURE,
            }
        topics = sorted(services.knowledge.knowledge().topics.values(), key=lambda t: t.title)
        return page(
            request,
            "knowledge.html",
            user,
            groups=groups,
            closest=closest,
            queue=await desk.queue(),
            topics=topics,
            question=cau[:500],
            preview=preview,
            reviews=desk.review_dates(_bank_dates()),
            outcome=ket_qua,
            count=so,
            problem=loi[:2000],
        )

    @router.post("/gan")
    async def assign(request: Request) -> Response:
        user = await gate.require(request)
        _admin(user)
        form = await checked_form(request, user.csrf_token)
        questions = [str(q) for q in form.getlist("question")][:50]
        topic = str(form.get("topic", ""))
        try:
            added = await desk.assign(questions, topic, actor=user.label)
        except LookupError:
            raise Forbidden("bad_form") from None
        await services.console.record(
            user, "knowledge.assign", topic, after={"questions": questions}
        )
        return RedirectResponse(f"/admin/kien-thuc?ket_qua=assigned&so={added}", status_code=303)

    @router.post("/ngoai-pham-vi")
    async def out_of_scope(request: Request) -> Response:
        user = await gate.require(request)
        _admin(user)
        form = await checked_form(request, user.csrf_token)
        questions = [str(q) for q in form.getlist("question")][:50]
        added = await desk.out_of_scope(questions, actor=user.label)
        await services.console.record(
            user, "knowledge.out_of_scope", after={"questions": questions}
        )
        return RedirectResponse(f"/admin/kien-thuc?ket_qua=excluded&so={added}", status_code=303)

    @router.post("/rut/{triage_id}")
    async def withdraw(request: Request, triage_id: int) -> Response:
        user = await gate.require(request)
        _admin(user)
        await checked_form(request, user.csrf_token)
        if await desk.withdraw(triage_id):
            await services.console.record(user, "knowledge.withdraw", str(triage_id))
        return RedirectResponse("/admin/kien-thuc?ket_qua=withdrawn", status_code=303)

    @router.post("/xuat-ban")
    async def publish(request: Request) -> Response:
        user = await gate.require(request)
        _admin(user)
        await checked_form(request, user.csrf_token)
        result = await desk.publish()
        if result.problems:
            return page(
                request,
                "knowledge_failed.html",
                user,
                status_code=422,
                problems=result.problems,
            )
        await services.console.record(
            user, "knowledge.publish", after={"example_questions": result.published}
        )
        return RedirectResponse(
            f"/admin/kien-thuc?ket_qua=published&so={result.published}", status_code=303
        )

    return router
