"""Run the real bot (``python -m bot run``) as a child process against the loopback emulator.

``BotProcess`` starts the CLI exactly as an operator would, with its own log file, waits
until it is serving (polling: a ``getUpdates`` from this process reached the emulator;
webhook: the emulator holds our webhook and the bot's port accepts connections), and stops
it the two ways a server dies: SIGTERM (clean: exit code 0, no traceback) or SIGKILL.

Waits never block the event loop: the emulator runs on the same loop as the test and must
keep answering the bot while we wait for it.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from emulator import BotApiEmulator
from storage.db import TEST_POSTGRES_ENV

# Generous: a loaded 2-core machine may take seconds to import PTB and start.
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
# Settings the child must not inherit from whoever runs the tests.
_STRIPPED_ENV_PREFIXES = ("KOPERASI_", "TELEGRAM_")
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it if the test run dies (Linux), so a crashed
    or killed pytest never leaves a bot polling on."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _child_env(token: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_STRIPPED_ENV_PREFIXES) and key.lower() not in _PROXY_VARS
    }
    if TEST_POSTGRES_ENV in os.environ:  # the PostgreSQL pass: the bot's file is a schema there
        env[TEST_POSTGRES_ENV] = os.environ[TEST_POSTGRES_ENV]
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        KOPERASI_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        PYTHONFAULTHANDLER="1",
    )
    return env


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    within: float,
    interval: float = 0.01,
    what: str = "condition",
) -> None:
    """Poll ``condition`` (sync or async) until it holds; TimeoutError naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() >= deadline:
            raise TimeoutError(f"{what}: not reached within {within}s")
        await asyncio.sleep(interval)


@dataclass(frozen=True)
class Webhook:
    port: int
    secret: str
    path: str = "/"  # the webhook URL's path, served by the bot

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


class BotProcess:
    """One run of ``python -m bot run``; make a new one for every (re)start."""

    def __init__(
        self,
        emu: BotApiEmulator,
        db_path: Path,
        log_path: Path,
        *,
        webhook: Webhook | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.emu = emu
        self.env = env or {}  # settings on top of the defaults, e.g. KOPERASI_LOG_LEVEL
        self.db_path = db_path
        self.log_path = log_path
        self.webhook = webhook
        self.cwd = cwd or db_path.parent
        self.proc: asyncio.subprocess.Process | None = None
        self._log_file = None

    # ------------------------------------------------------------------ start
    def argv(self) -> list[str]:
        argv = [
            sys.executable, "-m", "bot",
            "--env-file", str(self.cwd / "no-such.env"),  # never a stray .env
            "--db", str(self.db_path),
            "run", "--api-url", self.emu.base_url,
        ]  # fmt: skip
        if self.webhook is not None:
            argv += [
                "--webhook-url", self.webhook.url,
                "--listen", "127.0.0.1",
                "--port", str(self.webhook.port),
                "--secret", self.webhook.secret,
            ]  # fmt: skip
        return argv

    async def start(self, within: float = READY_TIMEOUT) -> BotProcess:
        assert self.proc is None, "a BotProcess starts once; make a new one to restart"
        stats = await self.emu.stats()
        polls_before = stats["requests"].get("getUpdates", 0)
        webhooks_before = stats["requests"].get("setWebhook", 0)
        self._log_file = open(self.log_path, "ab")  # noqa: ASYNC230 - a local file, once; closed on exit
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv(),
            cwd=self.cwd,
            env={**_child_env(self.emu.token_for_tests), **self.env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

        async def ready() -> bool:
            if self.proc.returncode is not None:
                raise AssertionError(
                    f"bot exited with {self.proc.returncode} while starting:\n{self.log()}"
                )
            requests = (await self.emu.stats())["requests"]
            if self.webhook is None:
                return requests.get("getUpdates", 0) > polls_before
            hook = await self.emu.webhook()
            return (
                requests.get("setWebhook", 0) > webhooks_before
                and hook is not None
                and hook["url"] == self.webhook.url
                and await _port_open(self.webhook.port)
            )

        try:
            await wait_until(ready, within=within, interval=0.02, what="bot start-up")
        except BaseException:
            await self.kill()
            raise
        return self

    # ------------------------------------------------------------------ stop
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self, within: float = STOP_TIMEOUT) -> int:
        """SIGTERM and wait; assert a clean exit (code 0, no traceback in the log)."""
        assert self.running, "bot is not running"
        self.proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(within):
                code = await self.proc.wait()
        except TimeoutError:
            await self.kill()
            raise AssertionError(
                f"bot did not stop within {within}s of SIGTERM:\n{self.log()}"
            ) from None
        self._close_log()
        assert code == 0, f"bot exited with {code} after SIGTERM:\n{self.log()}"
        self.assert_clean_log()
        return code

    async def kill_when(
        self,
        condition: Callable[[], bool | Awaitable[bool]],
        *,
        within: float = READY_TIMEOUT,
        what: str = "kill condition",
    ) -> None:
        """SIGKILL as soon as ``condition`` holds, then reap.

        A synchronous condition is checked and the signal sent in the same event-loop
        step, so nothing the in-process emulator does (finishing a delayed request, say)
        can come in between; polling every 5 ms, far below any emulator latency, means
        the state seen is the state killed in.
        """
        try:
            await wait_until(condition, within=within, interval=0.005, what=what)
        except BaseException:
            await self.kill()
            raise
        self.kill_now()
        await self.kill()

    def kill_now(self) -> None:
        """SIGKILL without yielding to the event loop: nothing else runs in between."""
        if self.running:
            self.proc.send_signal(signal.SIGKILL)

    async def kill(self) -> None:
        """SIGKILL (if still running) and reap."""
        if self.proc is None:
            return
        self.kill_now()
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self.proc.wait()
        finally:
            self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # ------------------------------------------------------------------ the log
    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def assert_clean_log(self) -> None:
        text = self.log()
        assert "Traceback" not in text, f"traceback in the bot's log {self.log_path}:\n{text}"
        for marker in (" ERROR ", " CRITICAL "):
            assert marker not in text, f"{marker.strip()} in the bot's log {self.log_path}:\n{text}"


async def _port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


async def run_cli(
    db_path: Path,
    *args: str,
    cwd: Path,
    within: float = STOP_TIMEOUT,
    env: dict[str, str] | None = None,
) -> str:
    """Run a ``koperasi-bot`` admin command (``python -m bot --db … <args>``); its output.
    Asserts exit code 0. ``env``: settings on top (e.g. the database's URL)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--env-file", str(cwd / "no-such.env"), "--db", str(db_path),
        *args,
        cwd=cwd,
        env={**_child_env(""), **(env or {})},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with asyncio.timeout(within):
            out, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, f"koperasi-bot {' '.join(args)} exited {proc.returncode}:\n{text}"
    return text
