"""The real ``koperasi-bot run`` with KOPERASI_METRICS_PORT: /healthz and /metrics served
beside long polling, counting what the emulator saw; a SIGTERM still stops it cleanly."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.botproc import free_port, wait_until
from tests.e2e.flow import WELCOME, Farmer, Step

pytestmark = pytest.mark.asyncio


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise KeyError((name, labels))


async def test_metrics_and_health_of_the_running_process(emu, bots):
    port = free_port()
    bot = await bots.start(env={"KOPERASI_METRICS_PORT": str(port)})
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:

        async def healthy() -> bool:
            try:
                return (await client.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(healthy, within=10, interval=0.05, what="/healthz 200")
        assert (await client.get("/healthz")).json() == {
            "ok": True, "database": True, "updater": True,
        }  # fmt: skip

        farmer = Farmer(emu)
        for _ in range(3):
            await farmer.act(Step("send", "/start", WELCOME))
            await farmer.expect_reply(WELCOME)
        text = (await client.get("/metrics")).text
        assert _value(text, "koperasi_updates_received_total") == 3
        sent = (await emu.stats())["requests"]["sendMessage"]
        assert _value(text, "koperasi_bot_api_calls_total", method="sendMessage") == sent >= 3
        assert _value(text, "koperasi_queue_depth", lane="interactive") == 0
    await bot.stop()  # exit code 0, no traceback in the log
    assert f"metrics on http://127.0.0.1:{port}/metrics" in bot.log()
