"""The users' side of the fake Telegram: their messages, presses and other updates, queued for
getUpdates or delivered to the webhook the way Telegram delivers them."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from tests.fakes.telegram_html import utf16_len


class TelegramUsers:
    """Mixin of FakeTelegram: builds updates from people and hands them over."""

    _lock: threading.RLock
    _chats: dict[int, dict[int, dict[str, Any]]]
    _message_ids: dict[int, Iterator[int]]
    _updates: list[dict[str, Any]]
    _update_ids: Iterator[int]
    _query_ids: Iterator[int]
    _open_queries: set[str]
    _update_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]
    webhook: dict[str, Any]

    def user_says(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Lan",
    ) -> dict[str, Any]:
        """A user's text message as an Update (queued for getUpdates)."""
        message = self._user_message(chat_id, user_id, chat_type, first_name, text=text)
        entities = (
            [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split(" ", 1)[0])}]
            if text.startswith("/")
            else []
        )
        if entities:
            message["entities"] = entities
        return self.queue({"message": message})

    def user_sends(
        self,
        chat_id: int,
        kind: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str = "",
        edited: bool = False,
    ) -> dict[str, Any]:
        """A non-text message (photo, document, sticker, voice) or an edit, as an Update."""
        payloads: dict[str, dict[str, Any]] = {
            "photo": {
                "photo": [
                    {
                        "file_id": "AgACph1",
                        "file_unique_id": "ph1",
                        "width": 90,
                        "height": 90,
                        "file_size": 1200,
                    },
                    {
                        "file_id": "AgACph2",
                        "file_unique_id": "ph2",
                        "width": 800,
                        "height": 800,
                        "file_size": 64000,
                    },
                ]
            },
            "document": {
                "document": {
                    "file_id": "BQACdoc1",
                    "file_unique_id": "doc1",
                    "file_name": "bao-cao.pdf",
                    "mime_type": "application/pdf",
                    "file_size": 2048,
                }
            },
            "sticker": {
                "sticker": {
                    "file_id": "CAACst1",
                    "file_unique_id": "st1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "voice": {"voice": {"file_id": "AwACvo1", "file_unique_id": "vo1", "duration": 3}},
            "text": {"text": caption or "sửa lại"},
        }
        body = dict(payloads[kind])
        if caption and kind != "text":
            body["caption"] = caption
        message = self._user_message(chat_id, user_id, chat_type, "Lan", **body)
        if edited:
            message["edit_date"] = message["date"] + 5
        return self.queue({"edited_message" if edited else "message": message})

    def user_presses(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A press on an inline button of a bot message, as a callback_query Update."""
        with self._lock:
            message = self._chats[chat_id].get(message_id)
            if message is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
        user = self._user(user_id or chat_id, "Lan")
        return self.queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )

    def press_button(
        self, chat_id: int, label: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """Press the button labelled `label` (substring) on the latest bot message that has it."""
        with self._lock:
            for message in reversed(list(self._chats[chat_id].values())):
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        if label in button["text"]:
                            return self.user_presses(
                                chat_id,
                                message["message_id"],
                                button["callback_data"],
                                user_id=user_id,
                            )
        raise KeyError(f"no button {label!r} in chat {chat_id}")

    def queue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Give an update its update_id and queue it for getUpdates."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            waiters, self._update_waiters = self._update_waiters, []
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)
        return update

    async def post_webhook(
        self,
        update: dict[str, Any],
        *,
        secret: str | None = None,
        use_configured_secret: bool = True,
    ) -> int:
        """Deliver an update to the webhook as Telegram does; returns the HTTP status."""
        with self._lock:
            url = self.webhook.get("url")
            configured = self.webhook.get("secret_token")
            if url is None:
                raise RuntimeError("no webhook set")
            self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else (configured if use_configured_secret else None)
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(url, content=json.dumps(update), headers=headers)
        if response.status_code == 200 and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            await self.run_webhook_answer(response.json())
        with self._lock:
            if response.status_code >= 300:
                self.webhook["last_error_date"] = int(time.time())
                self.webhook["last_error_message"] = (
                    f"Wrong response from the webhook: {response.status_code}"
                )
        return response.status_code

    async def run_webhook_answer(self, body: dict[str, Any]) -> None:
        """Run the Bot API method a webhook answered with, as Telegram does; as there, its result
        and its errors go nowhere (only `calls` records them)."""
        raise NotImplementedError  # FakeTelegram runs it with its own API

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _user_message(
        self, chat_id: int, user_id: int | None, chat_type: str, first_name: str, **content: Any
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Nhóm chuyển đổi số"
        with self._lock:
            message = {
                "message_id": next(self._message_ids[chat_id]),
                "from": self._user(user_id or chat_id, first_name),
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
            self._chats[chat_id][message["message_id"]] = message
        return message
