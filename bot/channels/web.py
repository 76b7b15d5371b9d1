"""The web chat: a JSON API for the page at `/`, and the reference rendering of replies."""

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.app import BotApp
from bot.channels import api_docs
from bot.core.events import IncomingEvent
from bot.core.replies import Album, Document, Image, Reply, Text, Toast
from bot.core.state import flow_name
from bot.messages import Catalog
from bot.services.web_sessions import TooManySessions

CHANNEL = "web"
SEEN_MAX = 200  # message ids a poll may confirm at once (a page confirms one poll's worth)
STATIC = "static"  # the page's own files (chat.html, chat.js, chat.css, favicon.svg)


class SessionOut(BaseModel):
    """A new session's bearer token."""

    session: str


class MessageIn(BaseModel):
    """One message from the page: typed text or a button's action (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, max_length=100_000)
    action: str | None = Field(None, max_length=64)
    client_id: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description=(
            "Mã do trang tạo cho mỗi tin (ví dụ một UUID), gửi lại y nguyên khi gửi lại tin đó. "
            "Tin đã xử lý với cùng mã không được xử lý lần thứ hai (gửi lại sau khi mất kết nối "
            "là an toàn)."
        ),
    )

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
    images: list[str] = []  # an album: the pictures shown together as one gallery, in order
    document: dict[str, str] | None = None


class RepliesOut(BaseModel):
    replies: list[ReplyOut]


class PushedOut(RepliesOut):
    """Pushed messages: the replies and the ids of the messages they came from."""

    message_ids: list[int] = Field(
        description=(
            "Mã các tin trong lần nhận này. Trang hiển thị xong thì gửi lại các mã này trong "
            "tham số `seen` của lần hỏi sau; tin chưa được xác nhận sẽ được gửi lại."
        )
    )


class FlowOut(BaseModel):
    """The unfinished flow a person is in: the next typed text goes to it."""

    step: str
    name: str
    notice: str
    buttons: list[ButtonOut]  # "Tiếp tục" (show its question again) and "Thoát"
    choices: list[ButtonOut]  # the choices it last offered


class StateOut(BaseModel):
    flow: FlowOut | None = None


def _image_url(image: Image) -> str:
    return image.url or "data:image/png;base64," + base64.b64encode(image.data).decode()


def render(reply: Reply) -> ReplyOut:
    """Reply → JSON (images and files as data URLs: nothing is stored for the page)."""
    if isinstance(reply, Text):
        rows = [[ButtonOut(label=b.label, action=b.action) for b in row] for row in reply.buttons]
        return ReplyOut(text=reply.text, buttons=rows)
    if isinstance(reply, Toast):  # a short line: the page has no pop-ups
        return ReplyOut(text=reply.text)
    if isinstance(reply, Image):
        return ReplyOut(text=reply.caption, image_url=_image_url(reply))
    if isinstance(reply, Album):
        return ReplyOut(text=reply.caption, images=[_image_url(image) for image in reply.images])
    if isinstance(reply, Document):
        data_url = reply.url or (
            f"data:{reply.mime_type};base64," + base64.b64encode(reply.data).decode()
        )
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
        return chat_page()

    @router.post(
        "/api/chat/sessions",
        status_code=201,
        response_model=SessionOut,
        summary="Mở phiên trò chuyện mới",
    )
    async def create_session(request: Request) -> SessionOut:
        # uvicorn sets the client from X-Forwarded-For only for WEB_TRUSTED_PROXIES
        client = request.client.host if request.client else None
        try:
            return SessionOut(session=await app.services.web_sessions.create(client))
        except TooManySessions as refused:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=t("web.too_many_sessions"),
                headers={"Retry-After": str(refused.retry_after)},
            ) from None

    @router.post(
        "/api/chat/messages",
        response_model=RepliesOut,
        summary="Gửi tin nhắn hoặc bấm nút, nhận các câu trả lời",
    )
    async def post_message(
        body: MessageIn, user_id: Annotated[str, Depends(current_user)]
    ) -> RepliesOut:
        # A retry of the same message (same client_id) is claimed once, like a platform's
        # redelivery: it is never handled twice.
        dedup = f"{CHANNEL}:{user_id}:{body.client_id}" if body.client_id else ""
        if body.action is not None:
            event = IncomingEvent.from_action(CHANNEL, user_id, body.action, dedup_key=dedup)
        else:
            event = IncomingEvent.from_text(CHANNEL, user_id, body.text or "", dedup_key=dedup)
        outgoing = await app.engine.handle(event)
        return RepliesOut(replies=[render(reply) for reply in outgoing.replies])

    @router.get(
        "/api/chat/messages",
        response_model=PushedOut,
        summary="Nhận các tin Trợ lý chủ động gửi (nhắc hạn, thông báo) đang chờ",
    )
    async def pushed_messages(
        user_id: Annotated[str, Depends(current_user)],
        seen: Annotated[
            str | None,
            Query(
                max_length=SEEN_MAX * 20,
                description=(
                    "Mã các tin (`message_ids`) trang đã hiển thị từ lần hỏi trước, cách nhau "
                    "bằng dấu phẩy; để trống nếu chưa có. Không có tham số này: mỗi tin chỉ "
                    "được trao một lần (cách của trang đời cũ)."
                ),
            ),
        ] = None,
    ) -> PushedOut:
        # The page cannot receive pushes: it polls. A message stays waiting until the page says
        # it has shown it, so a reload while the answer was on its way loses nothing.
        confirmed = None if seen is None else seen_ids(t, seen)
        inbox = await app.services.reminders.inbox(user_id, seen=confirmed)
        return PushedOut(replies=[render(reply) for reply in inbox.replies], message_ids=inbox.ids)

    @router.get(
        "/api/chat/state",
        response_model=StateOut,
        summary="Việc đang làm dở (nếu có): tên, cách tiếp tục hoặc thoát, các lựa chọn đang chờ",
    )
    async def conversation_state(user_id: Annotated[str, Depends(current_user)]) -> StateOut:
        state = await app.services.users.conversation(channel=CHANNEL, external_id=user_id)
        if not state.step:
            return StateOut()
        name = flow_name(t, state.step)
        return StateOut(
            flow=FlowOut(
                step=state.step,
                name=name,
                notice=t("flows.open", name=name),
                buttons=[
                    ButtonOut(label=t("flows.resume_button"), action="cmd:tieptuc"),
                    ButtonOut(label=t("flows.leave_button"), action="cmd:huy"),
                ],
                choices=[ButtonOut(label=label, action=action) for label, action in state.menu],
            )
        )

    return router


def mount_assets(app: FastAPI) -> None:
    """Serve the page's script, style and icon, and the API documentation, from this server
    (nothing is loaded from elsewhere: the page works offline and under `script-src 'self'`)."""
    api_docs.mount(app)  # first: its files live under /static/api-docs
    app.mount("/static", StaticFiles(packages=[("bot.channels", STATIC)]), name="static")


_ASSET = re.compile(r'(?P<attr>(?:src|href)=")/static/(?P<name>[\w.-]+)"')


@cache
def chat_page() -> str:
    """The page, with each of its files' URLs carrying a hash of the file's content, so that a
    browser never combines a new page with an old cached script."""
    folder = resources.files("bot.channels").joinpath(STATIC)

    def versioned(match: re.Match[str]) -> str:
        digest = hashlib.sha256(folder.joinpath(match["name"]).read_bytes()).hexdigest()[:12]
        return f'{match["attr"]}/static/{match["name"]}?v={digest}"'

    return _ASSET.sub(versioned, folder.joinpath("chat.html").read_text("utf-8"))


def seen_ids(t: Catalog, seen: str) -> list[int]:
    """The ids a poll's `seen` names: empty, or up to SEEN_MAX numbers separated by commas."""
    parts = seen.split(",") if seen else []
    if len(parts) > SEEN_MAX or not all(
        part.isascii() and part.isdigit() and len(part) <= 18 for part in parts
    ):
        raise HTTPException(422, detail=t("web.bad_seen"))
    return [int(part) for part in parts]


def validation_message(
    t: Catalog, request: Request, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    """A 422 body that says what was wrong in Vietnamese, with the details for developers."""
    return {"detail": t("web.bad_request"), "errors": errors, "path": request.url.path}
