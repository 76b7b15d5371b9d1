"""/docs (Swagger UI) with its scripts served by this server, not from a CDN: it works offline,
and the page holds no inline script (a strict `script-src 'self'` allows it).

The Swagger UI bundle comes from the `fastapi-offline` package, which ships it. /redoc sends
people to /docs: the Redoc bundle always loads its "Redocly" logo from an outside host."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/api-docs"

_SWAGGER = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – tài liệu API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def mount(app: FastAPI) -> None:
    """Add /docs, and /redoc as a way there (build the app with docs_url=None, redoc_url=None)."""
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="api-docs")
    values = {"title": app.title, "spec": app.openapi_url or "/openapi.json", "assets": ASSETS}
    swagger = _SWAGGER.format(**values)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def swagger_ui() -> str:
        return swagger

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> RedirectResponse:
        return RedirectResponse("/docs")
