"""A small tornado HTTP server in the current asyncio loop (the dashboard beside polling or
the webhook; the demo's page)."""

from __future__ import annotations

import socket

import tornado.httpserver
import tornado.netutil
import tornado.web


class WebServer:
    def __init__(self, server: tornado.httpserver.HTTPServer, port: int) -> None:
        self._server = server
        self.port = port

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


async def start_web_server(routes: list, *, listen: str, port: int) -> WebServer:
    """Serve ``routes`` on ``listen:port`` (0: a free port, see ``.port``)."""
    app = tornado.web.Application(routes, xheaders=True)
    server = tornado.httpserver.HTTPServer(app, xheaders=True)
    sockets = tornado.netutil.bind_sockets(
        port, address=listen, family=socket.AF_INET if ":" not in listen else socket.AF_UNSPEC
    )
    server.add_sockets(sockets)
    return WebServer(server, sockets[0].getsockname()[1])
