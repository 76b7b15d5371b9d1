"""The web chat: a JSON API for the page at `/`, and the reference rendering of replies."""

import base64
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.app import BotApp
from bot.core.events import IncomingEvent
from bot.core.replies import Document, Image, Reply, Text
from bot.messages import Catalog

CHANNEL = "web"


class SessionOut(BaseModel):
    """A new session's bearer token."""

    session: str


class MessageIn(BaseModel):
    """One message from the page: typed text or a button's action (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, max_length=100_000)
    action: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> "MessageIn":
        if (self.text is None) == (self.action is None):
            raise ValueError("gửi đúng một trong hai trường 'text' hoặc 'action'")
        return self


class ButtonOut(BaseModel):
    label: str
    action: str


class ReplyOut(BaseModel):
    """One reply as the page shows it."""

    text: str
    buttons: list[list[ButtonOut]] = []
    image_url: str | None = None
    document: dict[str, str] | None = None


class RepliesOut(BaseModel):
    replies: list[ReplyOut]


def render(reply: Reply) -> ReplyOut:
    """Reply → JSON (images and files as data URLs: nothing is stored for the page)."""
    if isinstance(reply, Text):
        rows = [[ButtonOut(label=b.label, action=b.action) for b in row] for row in reply.buttons]
        return ReplyOut(text=reply.text, buttons=rows)
    if isinstance(reply, Image):
        url = reply.url or "data:image/png;base64," + base64.b64encode(reply.data).decode()
        return ReplyOut(text=reply.caption, image_url=url)
    if isinstance(reply, Document):
        data_url = f"data:{reply.mime_type};base64," + base64.b64encode(reply.data).decode()
        return ReplyOut(
            text=reply.caption, document={"file_name": reply.file_name, "url": data_url}
        )
    raise TypeError(f"cannot render {type(reply).__name__}")


def build_router(app: BotApp) -> APIRouter:
    """The page and the chat API."""
    router = APIRouter()
    t = app.catalog

    async def current_user(
        authorization: Annotated[str | None, Header()] = None,
    ) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        user_id = (
            await app.services.web_sessions.resolve(token.strip())
            if (scheme.lower() == "bearer")
            else None
        )
        if user_id is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=t("web.bad_token"),
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user_id

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return resources.files("bot.channels").joinpath("static/chat.html").read_text("utf-8")

    @router.post(
        "/api/chat/sessions",
        status_code=201,
        response_model=SessionOut,
        summary="Mở phiên trò chuyện mới",
    )
    async def create_session() -> SessionOut:
        return SessionOut(session=await app.services.web_sessions.create())

    @router.post(
        "/api/chat/messages",
        response_model=RepliesOut,
        summary="Gửi tin nhắn hoặc bấm nút, nhận các câu trả lời",
    )
    async def post_message(
        body: MessageIn, user_id: Annotated[str, Depends(current_user)]
    ) -> RepliesOut:
        if body.action is not None:
            event = IncomingEvent.from_action(CHANNEL, user_id, body.action)
        else:
            event = IncomingEvent.from_text(CHANNEL, user_id, body.text or "")
        outgoing = await app.engine.handle(event)
        return RepliesOut(replies=[render(reply) for reply in outgoing.replies])

    @router.get(
        "/api/chat/messages",
        response_model=RepliesOut,
        summary="Nhận các tin Trợ lý chủ động gửi (nhắc hạn, thông báo) đang chờ",
    )
    async def pushed_messages(user_id: Annotated[str, Depends(current_user)]) -> RepliesOut:
        # The page cannot receive pushes: it polls, and each waiting message is handed out once.
        replies = await app.services.reminders.inbox(user_id)
        return RepliesOut(replies=[render(reply) for reply in replies])

    return router


def validation_message(
    t: Catalog, request: Request, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    """A 422 body that says what was wrong in Vietnamese, with the details for developers."""
    return {"detail": t("web.bad_request"), "errors": errors, "path": request.url.path}
