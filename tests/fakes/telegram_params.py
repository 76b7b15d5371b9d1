"""Reading Bot API requests the way Telegram does: parameters from the query string, JSON, forms
or multipart bodies (JSON-encoded fields decoded), and the checks of texts and inline keyboards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from tests.fakes.telegram_html import HtmlError, parse_html, utf16_len

JSON_FIELDS = {
    "media",
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
}


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def bad(description: str) -> ApiError:
    """A 400 with the API's "Bad Request: …" wording."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart request."""

    filename: str
    data: bytes


async def read_params(request: Request) -> dict[str, Any]:
    """Parameters from the query string, a JSON body, a form or a multipart body."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            try:
                params.update(json.loads(body))
            except ValueError as error:
                raise bad("can't parse JSON request body") from error
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, value in form.multi_items():
            if hasattr(value, "read"):
                params[key] = UploadedFile(value.filename or key, await value.read())
            else:
                params[key] = value
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError as error:
                raise bad(f"can't parse {key} JSON object") from error
    return params


def int_param(value: Any, missing: str) -> int:
    if value is None or value == "":
        raise bad(missing)
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise bad(missing) from error


def chat_id_param(params: dict[str, Any]) -> int:
    if params.get("chat_id") in (None, ""):
        raise bad("chat_id is empty")
    try:
        return int(params["chat_id"])
    except (TypeError, ValueError) as error:
        raise bad("chat not found") from error


def message_text(
    params: dict[str, Any], key: str, limit: int, too_long: str, *, required: bool
) -> tuple[str, dict[str, Any]]:
    """Parse a text or caption as the API does; returns the plain text and its entities."""
    raw = params.get(key)
    if raw is None or raw == "":
        if required:
            raise bad("message text is empty")
        return "", {}
    raw = str(raw)
    mode = str(params.get("parse_mode") or "")
    if mode.upper() == "HTML":
        try:
            text, entities = parse_html(raw)
        except HtmlError as error:
            raise ApiError(400, str(error)) from error
    elif mode:
        raise bad(f"unsupported parse_mode {mode!r} in this fake")
    else:
        text, entities = raw, []
    if required and not text.strip():
        raise bad("message text is empty")
    if utf16_len(text) > limit:
        raise bad(too_long)
    return text, ({"entities": entities} if entities else {})


def inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """Validate an inline keyboard the way the API does (button text, callback_data bytes)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in keyboard:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise (
                    bad("BUTTON_TEXT_EMPTY")
                    if "text" in button
                    else bad("can't parse inline keyboard button: Text must be non-empty")
                )
            kinds = [
                k
                for k in (
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "pay",
                    "web_app",
                    "login_url",
                    "copy_text",
                )
                if k in button
            ]
            if len(kinds) != 1:
                raise bad(
                    "can't parse inline keyboard button: Exactly one of the optional "
                    "fields must be used"
                )
            if (
                "callback_data" in button
                and not 1 <= len(str(button["callback_data"]).encode("utf-8")) <= 64
            ):
                raise bad("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(
                ("http://", "https://", "tg://")
            ):
                raise bad("BUTTON_URL_INVALID")
    return markup
