"""Signing in (password or one-time link) and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.rendering import page
from bot.admin.security import Gate, checked_form, client_key, login_token, set_login_token
from bot.app import BotApp
from bot.services.console import SignIn, SignInOutcome


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET/POST /admin/dangnhap, GET/POST /admin/vao/{token}, POST /admin/dangxuat."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    console = bot.services.console

    def _form(
        request: Request, template: str, *, status_code: int = 200, **extra: object
    ) -> Response:
        token = login_token(request)
        response = page(request, template, None, status_code=status_code, csrf=token, **extra)
        set_login_token(request, response, token)
        return response

    async def _signed_in(
        request: Request, result: SignIn, template: str, **extra: object
    ) -> Response:
        if result.outcome is SignInOutcome.OK:
            response = RedirectResponse("/admin", status_code=303)
            await gate.start_session(request, response, result.token)
            user = await console.current(result.token)
            if user is not None:
                how = "link" if template == "open_link.html" else "password"
                await console.record(user, "sign_in", note=how)
            return response
        status_code = 429 if result.outcome is SignInOutcome.WAIT else 401
        return _form(
            request,
            template,
            status_code=status_code,
            error=result.outcome.value,
            wait=result.wait_seconds,
            **extra,
        )

    @router.get("/dangnhap")
    async def sign_in_page(request: Request) -> Response:
        if await gate.user(request) is not None:
            return RedirectResponse("/admin", status_code=303)
        return _form(request, "sign_in.html")

    @router.post("/dangnhap")
    async def sign_in(request: Request) -> Response:
        form = await checked_form(request, request.cookies.get("cds_admin_login", ""))
        username = str(form.get("username", ""))[:64]
        password = str(form.get("password", ""))[:200]
        result = await console.sign_in(username, password, client=client_key(request))
        return await _signed_in(request, result, "sign_in.html", username=username)

    @router.get("/vao/{token}")
    async def link_page(request: Request, token: str) -> Response:
        # Chat apps open links to build previews: a GET never uses the link up.
        return _form(request, "open_link.html", token=token[:100])

    @router.post("/vao/{token}")
    async def open_link(request: Request, token: str) -> Response:
        await checked_form(request, request.cookies.get("cds_admin_login", ""))
        result = await console.open_link(token[:100], client=client_key(request))
        return await _signed_in(request, result, "open_link.html", token=token[:100])

    @router.post("/dangxuat")
    async def sign_out(request: Request) -> Response:
        user = await gate.require(request)
        await checked_form(request, user.csrf_token)
        await console.record(user, "sign_out")
        await console.sign_out(user)
        response = RedirectResponse("/admin/dangnhap", status_code=303)
        gate.end_session(response)
        return response

    return router
