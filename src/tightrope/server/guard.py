"""The server's guard, an ASGI middleware in front of every route: the token, the bound on a
request body's size, no write from another origin, and JSON bodies only."""

from __future__ import annotations

import hmac
from urllib.parse import unquote

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tightrope.scenario.yamlsafe import MAX_BYTES

MAX_BODY = MAX_BYTES + 64 * 1024  # a scenario file's limit, plus its JSON wrapping


class Guard:
    """ASGI middleware: the token (when one is set), the body size bound before anything is
    read, and no write from another origin (a cross-site script cannot change the registry or
    the scenarios; a cross-site form cannot send the JSON every write takes)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            code, detail = refusal
            await JSONResponse({"detail": detail}, status_code=code)(scope, receive, send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise BodyTooLarge
            return message

        reply = send
        if self.token is not None and self._query_token(scope) == self.token:
            # Opened once with ?token=…: a cookie carries it for the pages' own requests.
            cookie = f"tightrope_token={self.token}; HttpOnly; SameSite=Strict; Path=/"

            async def reply(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"set-cookie", cookie.encode())]
                await send(message)

        try:
            await self.app(scope, bounded, reply)
        except BodyTooLarge:
            too_large = JSONResponse({"detail": "request body too large"}, status_code=413)
            await too_large(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if self.token is not None and not self._authorised(scope, headers):
            return 401, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN"
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return 413, f"request body too large (at most {MAX_BODY // 2**20} MB)"
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            origin = headers.get("origin")
            host = headers.get("host", "")
            if origin is not None and origin.split("://", 1)[-1] != host:
                return 403, "writes from another origin are refused"
            if headers.get("sec-fetch-site") == "cross-site":
                return 403, "writes from another site are refused"
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            has_body = int(length) > 0 or "transfer-encoding" in headers
            if has_body and media != "application/json":
                return 415, (
                    f"the API takes JSON (Content-Type: application/json), not "
                    f"{media or 'an untyped body'}; a scenario goes as "
                    '{"text": "<its YAML>", "name": "file.yaml"}'
                )
        return None

    def _authorised(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        offered = []
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            offered.append(bearer[7:].strip())
        for cookie in headers.get("cookie", "").split(";"):
            name, _, value = cookie.strip().partition("=")
            if name == "tightrope_token":
                offered.append(value)
        query = self._query_token(scope)
        if query is not None:
            offered.append(query)
        return any(hmac.compare_digest(o.encode(), self.token.encode()) for o in offered)

    @staticmethod
    def _query_token(scope: Scope) -> str | None:
        for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
            name, _, value = pair.partition("=")
            if name == "token":
                return unquote(value)
        return None


class BodyTooLarge(Exception):
    pass
