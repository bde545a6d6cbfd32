"""The browser UI: static files from web/ under /app, and / redirecting there."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from server.settings import REPO_ROOT

WEB_DIR = REPO_ROOT / "web"


@get("/", include_in_schema=False)
async def index() -> Redirect:
    return Redirect("/app/")


def web_router():
    return create_static_files_router(path="/app", directories=[WEB_DIR], html_mode=True, include_in_schema=False)
