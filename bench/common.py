"""Shared helpers for the benchmark scripts: bot subprocesses, CPU/RSS probes,
percentiles, the printed table and the JSON file, real villages for the people."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
_CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ numbers
def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100); None for no values."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return float(data[0])
    pos = (len(data) - 1) * p / 100.0
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return float(data[low] + (data[high] - data[low]) * (pos - low))


def latency_summary(values: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_s": percentile(values, 50),
        "p95_s": percentile(values, 95),
        "p99_s": percentile(values, 99),
        "max_s": max(values) if values else None,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return a / b


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != 0 and abs(value) < 10**-digits:
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    return str(value)


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


# ------------------------------------------------------------------ people's places
@dataclass(frozen=True)
class RealVillage:
    """A real Kemendagri village and what a person types to reach it at each level."""

    code: str
    typed: tuple[str, str, str, str]  # province, regency/city, district, village as typed
    shown: tuple[str, str, str, str]  # the names the bot says back and shows in the summary
    zone: str  # "WIB" | "WITA" | "WIT"


def real_villages(n: int, seed: int = 2025) -> list[RealVillage]:
    """``n`` distinct real villages spread over all provinces (round robin; regency,
    district and village picked at random, deterministic for ``seed``), each typed so that
    every level is an EXACT match (``regions.exact_match`` returns the intended region): the
    registration then answers each place with "✅ <name>" and the next question, never with
    candidates. A regency is typed bare ("Klaten") where that is exact, else in full
    ("Kota Bogor"); a village or district whose name is shared within its parent is skipped."""
    from domain import regions

    def typed_as(name: str, level: int, within: str | None, code: str) -> str | None:
        forms = [name]
        if level == regions.REGENCY:
            bare = name.removeprefix("Kabupaten ").removeprefix("Kota ")
            forms = [bare, name] if bare != name else forms
        for form in forms:
            found = regions.exact_match(form, level, within)
            if found is not None and found.code == code:
                return form
        return None

    rng = random.Random(seed)
    provinces = regions.provinces()
    out: list[RealVillage] = []
    codes: set[str] = set()
    for _attempt in range(n * 50):
        if len(out) == n:
            break
        chain = [provinces[len(out) % len(provinces)]]
        for _level in (regions.REGENCY, regions.DISTRICT, regions.VILLAGE):
            below = regions.children(chain[-1].code)
            if not below:
                break
            chain.append(rng.choice(below))
        if len(chain) != 4 or chain[-1].code in codes:
            continue
        typed = [typed_as(r.name, r.level, r.parent_code, r.code) for r in chain]
        if any(t is None or t.startswith("/") for t in typed):
            continue
        place = regions.place(chain[-1].code)
        shown = (place.province, place.regency, place.district, place.village)
        if shown != tuple(r.name for r in chain):  # what the bot says back is the region's name
            continue
        codes.add(place.code)
        out.append(RealVillage(place.code, tuple(typed), shown, regions.TIMEZONES[place.timezone]))  # type: ignore[arg-type]
    if len(out) < n:
        raise RuntimeError(f"found only {len(out)} of {n} exactly typeable villages")
    return out


# ------------------------------------------------------------------ output
def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    for n, row in enumerate(cells):
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print(line)


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if not path:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nJSON results written to {target}")


def machine_info() -> dict[str, Any]:
    import telegram

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
        "python": platform.python_version(),
        "ptb": telegram.__version__,
        "platform": platform.platform(),
        "time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        **git_state(),
    }


def git_state() -> dict[str, Any]:
    """The commit measured (read-only git calls; other people keep committing)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", *args],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.rstrip("\n")
        except (OSError, subprocess.SubprocessError):
            return ""

    if not (REPO / ".git").exists():  # e.g. a `git archive` snapshot: say what it is
        marker = REPO / ".bench-source"
        source = marker.read_text().strip() if marker.is_file() else "unknown (not a git checkout)"
        return {"git_head": source, "git_modified_files": []}
    dirty = [
        line[3:]
        for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if line
    ]
    return {
        "git_head": git("rev-parse", "--short", "HEAD").strip() or None,
        "git_modified_files": dirty,
    }


def load_caveat() -> str:
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    note = f"1-min load average {load:.2f} on {cpus} CPU(s)"
    if load > cpus * 0.5:
        note += " - machine was busy: treat absolute numbers with care, compare the ratios"
    return note


def workdir(given: str | None, prefix: str) -> Path:
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=prefix))


# ------------------------------------------------------------------ processes
def proc_cpu_seconds(pid: int) -> float | None:
    """user+system CPU seconds of a live process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime


def proc_thread_cpu(pid: int) -> dict[str, float] | None:
    """CPU seconds of a process's main thread (its event loop) and of all its other threads."""
    main = other = 0.0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu = (int(fields[11]) + int(fields[12])) / _CLK_TCK
        if int(tid) == pid:
            main += cpu
        else:
            other += cpu
    return {"main": main, "other": other}


def proc_rss_peak_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class BotProcess:
    """One bot (ours or the echo baseline) as its own process, long-polling `api_url`."""

    def __init__(
        self,
        kind: str,
        api_url: str,
        token: str,
        workdir: Path,
        *,
        concurrency: int = 64,
        log_level: str = "INFO",
        profile_out: str | None = None,
        pool_size: int = 0,
        db_path: Path | None = None,
        db_url: str | None = None,
        shared: bool = False,
    ) -> None:
        """``db_path``: an existing (seeded) SQLite file for the bot; default a new one in
        ``workdir``. ``db_url``: PostgreSQL instead (KOPERASI_DB_URL, see fresh_postgres_url)."""
        self.kind = kind
        self.log_path = workdir / f"{kind}-{os.getpid()}-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        if kind in ("koperasi", "koperasi-unlimited", "koperasi-unordered"):
            db_path = db_path or workdir / f"koperasi-{time.monotonic_ns()}.sqlite3"
            env.update(
                KOPERASI_DB_PATH=str(db_path),
                KOPERASI_CONCURRENCY=str(concurrency),
                KOPERASI_LOG_LEVEL=log_level,
            )
            if db_url:
                env["KOPERASI_DB_URL"] = db_url
            if kind == "koperasi":  # the production entry point, default send limits
                cmd = [
                    sys.executable,
                    "-m",
                    "bot",
                    "--env-file",
                    str(workdir / "none.env"),
                    "run",
                    "--api-url",
                    api_url,
                ]
            else:  # same wiring, send limits lifted (bench/run_bot.py)
                cmd = [
                    sys.executable,
                    "-m",
                    "bench.run_bot",
                    "--api-url",
                    api_url,
                    "--send-limits",
                    "unlimited",
                ]
                if kind == "koperasi-unordered":  # negative control for the order check
                    cmd += ["--processor", "unordered"]
                if pool_size:
                    cmd += ["--pool-size", str(pool_size)]
                if shared:  # as `koperasi-bot run`: chats leased (bot.runtime.multiproc)
                    cmd += ["--shared"]
            self.db_path: Path | None = db_path
        elif kind == "echo":
            cmd = [sys.executable, "-m", "bench.echo_bot", "--api-url", api_url]
            self.db_path = None
        else:
            raise ValueError(kind)
        if profile_out:  # diagnostic: the whole bot process under cProfile (dumped at exit)
            cmd = [cmd[0], "-m", "cProfile", "-o", profile_out, *cmd[1:]]
        self.cmd = cmd
        self.killed = False
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_seconds(self) -> float | None:
        return proc_cpu_seconds(self.proc.pid)

    def thread_cpu(self) -> dict[str, float] | None:
        return proc_thread_cpu(self.proc.pid)

    def rss_peak_kib(self) -> int | None:
        return proc_rss_peak_kib(self.proc.pid)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM, then wait WITHOUT blocking the event loop (the emulator living on this
        loop must keep answering the bot's last requests while it shuts down); SIGKILL
        after ``grace`` seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, grace)
            except subprocess.TimeoutExpired:
                self.killed = True
                self.proc.kill()
                await asyncio.to_thread(self.proc.wait, 5)
        self._log.close()
        return self.proc.returncode

    def log_count(self, needle: str) -> int:
        try:
            return self.log_path.read_text(errors="replace").count(needle)
        except OSError:
            return 0

    def log_errors(self) -> list[str]:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def fresh_postgres_url(url: str, name: str) -> str:
    """A new empty schema of the PostgreSQL database at ``url``, as a KOPERASI_DB_URL that
    uses it (libpq's ``options`` sets its search_path): each run starts empty, as with a new
    SQLite file."""
    import urllib.parse

    import psycopg

    schema = f"bench_{name}_{time.monotonic_ns()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={options}"
