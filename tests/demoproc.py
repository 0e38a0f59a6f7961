"""``koperasi-bot demo`` as a real process (the venv's console script), for the CLI and browser
tests: start it, read the printed URL, stop it with SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

KOPERASI_BOT = Path(sys.executable).with_name("koperasi-bot")
URL = re.compile(r"koperasi-bot demo: (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT = 60.0  # a loaded 2-core machine imports PTB slowly


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH") and not k.startswith("KOPERASI_DASH")
    }
    env.update(extra)
    return env


class DemoProcess:
    def __init__(self, folder: Path, *args: str, cwd: Path | None = None, env=None):
        self.proc = subprocess.Popen(
            [str(KOPERASI_BOT), "demo", "--dir", str(folder), "--port", "0", *args],
            cwd=cwd or folder.parent, env=env or clean_env(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._url = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            found = URL.search(line)
            if found:
                self.url = found[1]
                self._url.set()

    def _read_errors(self) -> None:
        for line in self.proc.stderr:
            self.errors.append(line)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while not self._url.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the demo did not start: {''.join(self.errors)[-3000:]}")
        time.sleep(0.3)  # the rest of the printed block
        return self.url

    def stop(self, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode
