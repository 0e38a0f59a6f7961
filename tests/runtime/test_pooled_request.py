"""The Bot API connection split into small pools: calls go where fewest are in flight."""

import asyncio

import pytest

from bot.runtime.http import PooledRequest

pytestmark = pytest.mark.asyncio


class FakePool:
    def __init__(self, size):
        self.size = size
        self.calls = 0
        self.started = self.stopped = False
        self.release = asyncio.Event()

    read_timeout = 5.0

    async def initialize(self):
        self.started = True

    async def shutdown(self):
        self.stopped = True

    async def do_request(self, url, method, request_data=None, **kwargs):
        self.calls += 1
        await self.release.wait()
        return 200, b'{"ok": true, "result": true}'


async def test_pools_cover_the_connections_and_live_with_the_request():
    made = []
    request = PooledRequest(
        10, per_pool=4, make_pool=lambda size: made.append(FakePool(size)) or made[-1]
    )
    assert request.pools == 3 and all(pool.size == 4 for pool in made)
    await request.initialize()
    await request.shutdown()
    assert all(pool.started and pool.stopped for pool in made)


async def test_calls_spread_to_the_least_busy_pool():
    made = []
    request = PooledRequest(
        8, per_pool=4, make_pool=lambda size: made.append(FakePool(size)) or made[-1]
    )
    calls = [asyncio.create_task(request.do_request("u", "POST")) for _ in range(6)]
    await asyncio.sleep(0)
    assert [pool.calls for pool in made] == [3, 3]
    made[1].release.set()
    await asyncio.sleep(0)
    # the second pool is free again: the next call goes there
    calls.append(asyncio.create_task(request.do_request("u", "POST")))
    await asyncio.sleep(0)
    assert [pool.calls for pool in made] == [3, 4]
    made[0].release.set()
    assert all(code == 200 for code, _ in await asyncio.gather(*calls))


async def test_the_pools_share_one_tls_context(monkeypatch):
    """Each TLS context reads the whole CA bundle (~60 ms and ~1 MiB apiece): the pools of
    one connection share one instead of building 16."""
    import httpx._transports.default as transport

    made = []
    real = transport.create_ssl_context

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(transport, "create_ssl_context", recording)
    request = PooledRequest(64)
    assert request.pools == 16
    assert len(made) == 16 and len({id(context) for context in made}) == 1


async def test_the_real_transport_announces_a_request_once_its_connection_is_in_hand():
    """bot.runtime.http over a real socket: the hook of as_it_leaves runs before the request
    is written (the server has seen nothing yet), once per request; the server's answer comes
    back as usual. Without the hook nothing changes."""
    from bot.runtime.ratelimit import as_it_leaves

    seen: list[bytes] = []

    async def serve(reader, writer):
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        body = b'{"ok": true, "result": true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)  # fmt: skip
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = PooledRequest(1)
    assert request.announces_leaving
    await request.initialize()
    hooked: list[int] = []

    async def hook():
        hooked.append(len(seen))

    try:
        with as_it_leaves(hook):
            code, _ = await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        assert code == 200 and hooked == [0] and len(seen) == 1
        code, _ = await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        assert code == 200 and hooked == [0] and len(seen) == 2
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
