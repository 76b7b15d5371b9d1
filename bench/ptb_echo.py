"""The reference for bench/bench_channels.py: a bare python-telegram-bot 22 echo bot on a webhook,
run as its own process.

A PTB `Application` (no `Updater`: PTB's webhook server needs tornado, which the project does not
install) behind a Starlette route served by uvicorn, the way PTB documents a custom webhook
server: the route checks the secret header, puts `Update.de_json(...)` on the application's
update queue and answers 200 at once; a `MessageHandler` answers every text with `sendMessage`
through PTB. Updates are handled concurrently (64 at a time, as many as the load has in flight).

Run: `python bench/ptb_echo.py --port 8443 --token 1:abc --api http://127.0.0.1:8081/bot
--secret s`.
"""

from __future__ import annotations

import argparse
import asyncio

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


async def run(args: argparse.Namespace) -> None:
    """Serve until terminated."""
    application = (
        Application.builder()
        .token(args.token)
        .base_url(args.api)
        .updater(None)
        .concurrent_updates(args.concurrency)
        .connection_pool_size(args.concurrency)
        .pool_timeout(10.0)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))

    async def hook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != args.secret:
            return Response(status_code=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response()

    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/tg/hook", hook, methods=["POST"])]),
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
            access_log=False,
        )
    )
    async with application:
        await application.bot.set_webhook(
            f"http://127.0.0.1:{args.port}/tg/hook", secret_token=args.secret
        )
        await application.start()
        await server.serve()
        await application.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--api", required=True, help="Bot API base URL ending with /bot")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    asyncio.run(run(parser.parse_args()))
