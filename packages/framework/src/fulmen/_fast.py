"""The fast path: a Fulmen app served by fulmen_http without ASGI.

fulmen_http asks an app for ``__fulmen_http__(state=..., root_path=...)`` and,
given a direct handler, calls it with each request (docs/packages/http.md, "Apps
that offer a direct handler"). This handler does what the ASGI stack does
(``ServerErrorMiddleware`` -> ``ExceptionMiddleware`` -> router -> route) in one
function: route with the native table, call the route's request handler, and
write the response straight through the connection -- no ``receive``/``send``
coroutines, no ASGI messages, no middleware layers.

The framework's ``Request`` reads a scope mapping (user code sees
``request.scope``), so one dict per request is still built: the same keys the
ASGI path gives it.

What this path does not do, it declines (``NotImplemented``: fulmen_http then
serves that request over ASGI, with the same result): an app whose middleware
stack is not the default one (user middleware, ``max_body_size`` on the app, a
patched ``build_middleware_stack``), mounts, a router ``default``, routes whose
``app`` was replaced or wrapped (route ``max_body_size``). Responses whose class
has its own ``__call__`` (FileResponse, user classes) are written by that
``__call__`` through the request's ASGI ``send``.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Coroutine
from typing import Any

import fulmen_router
from fulmen._errors import (
    HANDLERS_KEY,
    ExceptionMiddleware,
    ServerErrorMiddleware,
    _call_handler,
    _lookup,
)
from fulmen._fields import Undefined
from fulmen._lean import BodyBox, LeanRoute
from fulmen._route import NOT_AWAITED, RequestExitStack
from fulmen._router import APIRouter
from fulmen._types import Message
from fulmen.concurrency import run_in_threadpool
from fulmen.datastructures import URL
from fulmen.exceptions import FastAPIError, HTTPException
from fulmen.requests import Request
from fulmen.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

_FOUND = fulmen_router.FOUND
_METHOD_NOT_ALLOWED = fulmen_router.METHOD_NOT_ALLOWED

_ASGI = {"version": "3.0", "spec_version": "2.4"}
_RESPONSE_CALL = Response.__call__
_STREAMING_CALL = StreamingResponse.__call__


class _Plan:
    """What the app's middleware stack amounts to, when it is the default one."""

    __slots__ = ("debug", "error_handler", "handlers", "router", "scope")

    def __init__(
        self, app: Any, stack: ServerErrorMiddleware, inner: ExceptionMiddleware, root: str
    ) -> None:
        self.router: APIRouter = inner.app  # type: ignore[assignment]
        self.handlers = inner.handlers
        self.error_handler = stack.handler
        self.debug = stack.debug
        # The scope's keys in the ASGI path's order; None marks the per-request ones.
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": None,
            "server": None,
            "client": None,
            "scheme": None,
            "method": None,
            "root_path": root,
            "path": None,
            "raw_path": None,
            "query_string": None,
            "headers": None,
            "state": None,
            "app": app,
            HANDLERS_KEY: self.handlers,
            "router": self.router,
        }


def _plan(app: Any, stack: Any, root: str) -> _Plan | None:
    if type(stack) is not ServerErrorMiddleware:
        return None
    inner = stack.app
    if type(inner) is not ExceptionMiddleware or inner.app is not app.router:
        return None
    router = type(inner.app)
    if router.__call__ is not APIRouter.__call__ or router.not_found is not APIRouter.not_found:
        return None
    return _Plan(app, stack, inner, root)


def _route_path(path: str, root: str) -> str:
    # As fulmen._route._route_path: a root_path prefix is not part of the route.
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


def _plain_headers(headers: Any) -> list[tuple[bytes, bytes]]:
    return [(bytes(name), bytes(value)) for name, value in headers]


class _Cycle:
    """One request's response side. ``started`` is what the ASGI middlewares
    track as "http.response.start was sent": it decides whether an exception
    may still be turned into a response."""

    __slots__ = ("request", "scope", "started")

    def __init__(self, request: Any, scope: dict[str, Any]) -> None:
        self.request = request
        self.scope = scope
        self.started = False

    def write_now(self, response: Response) -> bool:
        """Send a plain response without a background task at once (no
        coroutine); False when ``write`` must do it."""
        if type(response).__call__ is not _RESPONSE_CALL or response.background is not None:
            return False
        self.started = True
        self._send_whole(response)
        return True

    def _send_whole(self, response: Response) -> None:
        # As fulmen_http's ASGI send: head and body in one write; headers that are
        # not (bytes, bytes) tuples are converted on a second try.
        req = self.request
        try:
            req.send_response(response.status_code, response.raw_headers, bytes(response.body))
        except TypeError:
            req._response_started = False
            req.send_response(
                response.status_code, _plain_headers(response.raw_headers), bytes(response.body)
            )

    async def write(self, response: Response) -> None:
        """Send ``response`` as its ASGI ``__call__`` would, then its background task."""
        call = type(response).__call__
        req = self.request
        if call is not _RESPONSE_CALL and call is not _STREAMING_CALL:
            # A response class with its own ASGI __call__ (FileResponse, a user's):
            # it writes itself through the request's ASGI send, and runs its task.
            # It has "started" once it sends http.response.start, as on ASGI (an
            # error before that can still become an error response).
            await response(self.scope, req.receive, self.tracked_send)
            return
        self.started = True  # both classes send http.response.start first
        if call is _RESPONSE_CALL:
            self._send_whole(response)
        else:
            await self._stream(response)  # type: ignore[arg-type]
        if response.background is not None:
            await response.background()

    async def _stream(self, response: StreamingResponse) -> None:
        # Mirrors fulmen_http's ASGI send: the head goes out with the first piece,
        # a body that ends before any piece goes out whole (with a length), and
        # pieces after the response ended (client gone) are dropped.
        req = self.request
        status, headers = response.status_code, response.raw_headers
        charset = response.charset
        async for chunk in response.body_iterator:
            data = chunk.encode(charset) if isinstance(chunk, str) else bytes(chunk)
            if not req._response_started:
                try:
                    req.start_response(status, headers)
                except TypeError:
                    req._response_started = False
                    req.start_response(status, _plain_headers(headers))
            elif req._response_done:
                continue
            if data:
                await req.send_body(data)
        if not req._response_started:
            try:
                req.send_response(status, headers, b"")
            except TypeError:
                req._response_started = False
                req.send_response(status, _plain_headers(headers), b"")
        elif not req._response_done:
            req.end_response()

    async def tracked_send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.request.send(message)


class FastPath:
    """The direct handler of one app (``handle``), for one server."""

    def __init__(self, app: Any, state: dict[str, Any], root_path: str) -> None:
        self.app = app
        self.state = state
        self.root_path = app.root_path or root_path
        self._stack: Any = None
        self._plan: _Plan | None = None

    def handle(self, req: Any) -> Coroutine[Any, Any, Any]:
        """The direct handler: a coroutine answering ``req``.

        PERF: a plain function that routes the request before any coroutine
        exists, so a lean route's request runs in one coroutine, its own. The
        unusual cases (middleware stack not built yet or changed, a failure
        while routing) go through ``_handle``, which does it all inside the
        coroutine as before.
        """
        plan = self._plan
        stack = self.app.middleware_stack
        if plan is None or stack is None or stack is not self._stack:
            return self._handle(req)
        try:
            root = self.root_path
            path = _route_path(req.path, root) if root else req.path
            table = plan.router._routing_table()
            status, found, params = table._match(req.method, path)
            if status == _FOUND:
                route = table._targets[found]
                fast: Any = getattr(route, "_fast", None)
                # (Dependencies added to the route's dependant after it was made
                # are solved by the handler at request time: the full path then.)
                if fast is not None and fast[0] is route.app and fast[3] is not None:
                    lean: LeanRoute = fast[3]
                    if not lean.dependant.dependencies:
                        return lean.serve(self, plan, req, route, params or {})
        except Exception:
            return self._handle(req)
        return self._routed(plan, req, path, table, status, found, params)

    async def _handle(self, req: Any) -> Any:
        app = self.app
        stack = app.middleware_stack
        if stack is None:  # as Fulmen.__call__: built on first use, rebuilt after changes
            stack = app.middleware_stack = app.build_middleware_stack()
        if stack is not self._stack:
            self._plan = _plan(app, stack, self.root_path)
            self._stack = stack
        plan = self._plan
        if plan is None:
            return NotImplemented
        root = self.root_path
        path = _route_path(req.path, root) if root else req.path
        table = plan.router._routing_table()
        status, found, params = table._match(req.method, path)
        return await self._routed(plan, req, path, table, status, found, params)

    async def _routed(
        self, plan: _Plan, req: Any, path: str, table: Any, status: int, found: Any, params: Any
    ) -> Any:
        router = plan.router
        route: Any = None
        fast: Any = None
        if status == _FOUND:
            route = table._targets[found]
            fast = getattr(route, "_fast", None)
            if fast is None or fast[0] is not route.app:
                return NotImplemented  # a Mount, or a route whose app was replaced
            lean = fast[3]
            if lean is not None and not lean.dependant.dependencies:
                # A lean route (fulmen._lean): the scope, Request and exit stacks
                # are made only if something needs them (a failure, or a Response
                # the endpoint returned), as the full path below would have them.
                await lean.serve(self, plan, req, route, params or {})
                return None
        elif status != _METHOD_NOT_ALLOWED and router.default is not None:
            return NotImplemented
        scope = self._scope(plan, req)
        cycle = _Cycle(req, scope)
        try:  # ServerErrorMiddleware
            try:  # ExceptionMiddleware
                if route is None:
                    if status == _METHOD_NOT_ALLOWED:
                        # RFC 9110 §15.5.6: list the path's methods in Allow.
                        raise HTTPException(405, headers={"Allow": ", ".join(sorted(found))})
                    await self._not_found(router, table, path, scope, cycle)
                    return None
                scope["path_params"] = params or {}
                scope["endpoint"] = route.endpoint
                scope["route"] = route
                # As fulmen._route.request_response, written out here (PERF: one
                # coroutine less): two exit stacks (function-scoped yield
                # dependencies close after the endpoint, request-scoped ones after
                # the response), the route's own exception handling around it.
                # The ``async with`` blocks are unrolled (no __aenter__ call);
                # RequestExitStack makes leaving an empty stack free.
                request = Request(scope, req.receive)
                request_stack = RequestExitStack()
                function_stack = RequestExitStack()
                scope["fastapi_inner_astack"] = request_stack
                scope["fastapi_function_astack"] = function_stack
                try:
                    awaited = False
                    try:
                        try:
                            if fast[2]:
                                response = await fast[1](request)
                            else:
                                response = await run_in_threadpool(fast[1], request)
                        except BaseException as exc:
                            if not await function_stack.__aexit__(
                                type(exc), exc, exc.__traceback__
                            ):
                                raise
                        else:
                            await function_stack.__aexit__(None, None, None)
                        if not cycle.write_now(response):
                            await cycle.write(response)
                        awaited = True
                    except BaseException as exc:
                        if not await request_stack.__aexit__(type(exc), exc, exc.__traceback__):
                            raise
                    else:
                        await request_stack.__aexit__(None, None, None)
                    if not awaited:
                        raise FastAPIError(NOT_AWAITED)
                except Exception as exc:
                    await self._handle_exception(exc, request, scope, cycle)
            except Exception as exc:
                await self._handle_exception(exc, Request(scope, req.receive), scope, cycle)
        except Exception as exc:
            await self._server_error(plan, exc, scope, cycle)
            raise  # fulmen_http logs it (and test clients re-raise it)
        return None

    def _scope(self, plan: _Plan, req: Any) -> dict[str, Any]:
        # What the ASGI path's scope holds before routing (PERF: the per-server
        # part copied from a template, in the same key order).
        scope: dict[str, Any] = plan.scope.copy()
        scope["http_version"] = req.http_version
        scope["server"] = req.server
        scope["client"] = req.client
        scope["scheme"] = req.scheme
        scope["method"] = req.method
        scope["path"] = req.path
        scope["raw_path"] = req.raw_path
        scope["query_string"] = req.query_string
        scope["headers"] = req.headers
        scope["state"] = self.state.copy()
        return scope

    async def _lean_failed(
        self,
        plan: _Plan,
        exc: Exception,
        req: Any,
        route: Any,
        params: dict[str, Any],
        box: BodyBox | None,
    ) -> None:
        scope, request, cycle = self._route_context(plan, req, route, params, box)
        await self._fail(plan, exc, request, scope, cycle)

    async def _lean_response(
        self,
        plan: _Plan,
        response: Response,
        req: Any,
        route: Any,
        params: dict[str, Any],
        box: BodyBox | None,
    ) -> None:
        # The endpoint returned a Response: written as the full path writes it.
        scope, request, cycle = self._route_context(plan, req, route, params, box)
        try:
            if not cycle.write_now(response):
                await cycle.write(response)
        except Exception as exc:
            await self._fail(plan, exc, request, scope, cycle)

    def _route_context(
        self, plan: _Plan, req: Any, route: Any, params: dict[str, Any], box: BodyBox | None
    ) -> tuple[dict[str, Any], Request, _Cycle]:
        # The scope and Request the full path would have made for this route.
        scope = self._scope(plan, req)
        scope["path_params"] = params
        scope["endpoint"] = route.endpoint
        scope["route"] = route
        request = Request(scope, req.receive)
        scope["fastapi_inner_astack"] = RequestExitStack()
        scope["fastapi_function_astack"] = RequestExitStack()
        if box is not None and box.raw is not None:
            # The body was read (as request.body() would have): keep it readable.
            request._body = box.raw
            if box.json is not Undefined:
                request._json = box.json
        cycle = _Cycle(req, scope)
        cycle.started = req._response_started
        return scope, request, cycle

    async def _fail(
        self, plan: _Plan, exc: Exception, request: Request, scope: dict[str, Any], cycle: _Cycle
    ) -> None:
        # The route's, then ExceptionMiddleware's, then ServerErrorMiddleware's
        # handling of ``exc``, nested as in ``handle``.
        try:
            try:
                await self._handle_exception(exc, request, scope, cycle)
            except Exception as inner:
                await self._handle_exception(
                    inner, Request(scope, cycle.request.receive), scope, cycle
                )
        except Exception as last:
            await self._server_error(plan, last, scope, cycle)
            raise

    @staticmethod
    async def _server_error(
        plan: _Plan, exc: Exception, scope: dict[str, Any], cycle: _Cycle
    ) -> None:
        # As ServerErrorMiddleware: a 500 if nothing was sent yet (the caller re-raises).
        error_response: Response
        if plan.debug:
            trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            error_response = PlainTextResponse(trace, status_code=500)
        elif plan.error_handler is not None:
            error_response = await _call_handler(plan.error_handler, Request(scope), exc)
        else:
            error_response = PlainTextResponse("Internal Server Error", status_code=500)
        if not cycle.started:
            await cycle.write(error_response)

    async def _not_found(
        self, router: APIRouter, table: Any, path: str, scope: dict[str, Any], cycle: _Cycle
    ) -> None:
        if router.redirect_slashes and path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if table.has_path(other):
                full = scope["path"]
                redirect_scope = {
                    **scope,
                    "path": full.rstrip("/") if path.endswith("/") else full + "/",
                }
                await cycle.write(RedirectResponse(URL.from_scope(redirect_scope)))
                return
        raise HTTPException(status_code=404)

    @staticmethod
    async def _handle_exception(
        exc: Exception, request: Request, scope: dict[str, Any], cycle: _Cycle
    ) -> None:
        # As wrap_app_handling_exceptions: a registered handler answers, if the
        # response has not started yet.
        handler = _lookup(exc, *scope[HANDLERS_KEY])
        if handler is None:
            raise exc
        if cycle.started:
            raise RuntimeError("Caught handled exception, but response already started.") from exc
        response = await _call_handler(handler, request, exc)
        if response is not None:
            await cycle.write(response)


def direct_handler(app: Any, state: dict[str, Any], root_path: str) -> Callable[[Any], Any]:
    return FastPath(app, state, root_path).handle


__all__ = ["FastPath", "direct_handler"]
