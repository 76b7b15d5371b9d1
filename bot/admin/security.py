"""The console's gate: signed session cookies, the signed-in person on every request (roles read
from the database each time), role checks, and CSRF checks on every form.

Cookies: the session token is signed with itsdangerous (so a tampered cookie is refused before
any database work), HTTP-only, SameSite=Lax, path /admin, and Secure except on a plain-HTTP
loopback address (development). A form carries the session's CSRF token; a post without it, or
whose Origin is another site, is refused.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from fastapi import Request
from fastapi.datastructures import FormData
from fastapi.responses import Response
from itsdangerous import BadSignature, TimestampSigner

from bot.app import BotApp
from bot.services.console import ConsoleUser

SESSION_COOKIE = "cds_admin"
LOGIN_COOKIE = "cds_admin_login"  # the CSRF token of the sign-in forms, before any session
MAX_FORM_BYTES = 64 * 1024


class NotSignedIn(Exception):
    """No valid session: pages redirect to the sign-in page, posts are refused."""


class Forbidden(Exception):
    """Signed in, but this page or action is not theirs (or the form's CSRF token is wrong)."""

    def __init__(self, reason: str = "role") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Gate:
    """Everything the routes need to know who is asking."""

    app: BotApp
    _signer: TimestampSigner | None = None

    async def signer(self) -> TimestampSigner:
        """The cookie signer (its key: ADMIN_SECRET_KEY, else the one kept in the database)."""
        if self._signer is None:
            configured = self.app.settings.admin_secret_key
            key = await self.app.services.console.signing_key(
                configured.get_secret_value() if configured else ""
            )
            self._signer = TimestampSigner(key, salt="cdsbot-console")
        return self._signer

    async def user(self, request: Request) -> ConsoleUser | None:
        """The signed-in person with their current roles, or None."""
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if not cookie or len(cookie) > 400:
            return None
        max_age = self.app.settings.admin_session_hours * 3600 * 30  # expiry is checked in SQL
        try:
            token = (await self.signer()).unsign(cookie, max_age=max_age).decode()
        except BadSignature:
            return None
        return await self.app.services.console.current(token)

    async def require(self, request: Request) -> ConsoleUser:
        """The signed-in person, or NotSignedIn."""
        user = await self.user(request)
        if user is None:
            raise NotSignedIn()
        return user

    async def start_session(self, request: Request, response: Response, token: str) -> None:
        """Set the session cookie."""
        signed = (await self.signer()).sign(token).decode()
        response.set_cookie(
            SESSION_COOKIE,
            signed,
            max_age=self.app.settings.admin_session_hours * 3600,
            path="/admin",
            httponly=True,
            secure=secure_context(request),
            samesite="lax",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/admin")

    @staticmethod
    def end_session(response: Response) -> None:
        """Remove the session cookie."""
        response.delete_cookie(SESSION_COOKIE, path="/admin")


def secure_context(request: Request) -> bool:
    """Cookies are Secure unless the console is reached over plain HTTP on loopback."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def client_key(request: Request) -> str:
    """The client's address as the throttle counts it (uvicorn applies X-Forwarded-For only
    from trusted proxies, FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


def same_origin(request: Request) -> bool:
    """A browser's Origin (or Referer) header, when present, must be this site."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlparse(origin).netloc == request.headers.get("host", request.url.netloc)


async def checked_form(
    request: Request, expected: str, *, max_bytes: int = MAX_FORM_BYTES
) -> FormData:
    """The posted form, if its CSRF token matches and it came from this site; else Forbidden."""
    if not same_origin(request):
        raise Forbidden("csrf")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > max_bytes:
        raise Forbidden("too_large")
    form = await request.form()
    given = form.get("csrf")
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
        raise Forbidden("csrf")
    return form


def login_token(request: Request) -> str:
    """The CSRF token of the sign-in forms (a cookie set with the form)."""
    existing = request.cookies.get(LOGIN_COOKIE, "")
    return existing if 20 <= len(existing) <= 64 else secrets.token_urlsafe(24)


def set_login_token(request: Request, response: Response, token: str) -> None:
    """Remember the sign-in forms' CSRF token for ten minutes."""
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=600,
        path="/admin",
        httponly=True,
        secure=secure_context(request),
        samesite="strict",
    )
