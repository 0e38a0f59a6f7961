"""The Dockerfile and the systemd unit (Docker is not on this machine: the Dockerfile is read,
not built; the unit is checked by systemd-analyze where it exists, and its keys read here)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import CALLS_GRACE_SECONDS, STOP_GRACE_SECONDS

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "koperasi-bot.service"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _unit() -> dict[tuple[str, str], list[str]]:
    """(section, key) → values, in order (systemd allows a key more than once)."""
    found: dict[tuple[str, str], list[str]] = {}
    section = ""
    for line in UNIT.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault((section, key.strip()), []).append(value.strip())
    return found


def test_dockerfile_runs_as_a_user_with_data_in_a_private_volume():
    steps = _instructions()
    words = [w for w, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = [arg for w, arg in steps if w == "USER"]
    assert user and user[-1] not in ("root", "0") and not user[-1].startswith("0:")
    # the last USER comes before the entry point: the bot never runs as root
    assert words.index("USER") < words.index("ENTRYPOINT")
    assert ("VOLUME", '["/data"]') in steps
    env = " ".join(arg for w, arg in steps if w == "ENV")
    assert "KOPERASI_DB_PATH=/data/" in env
    assert any(w == "RUN" and "pip install ." in arg for w, arg in steps)
    assert ("STOPSIGNAL", "SIGTERM") in steps
    health = next(arg for w, arg in steps if w == "HEALTHCHECK")
    assert "/healthz" in health and "KOPERASI_METRICS_PORT" in health
    entry = json.loads(next(arg for w, arg in steps if w == "ENTRYPOINT"))
    assert "umask 0077" in entry[2] and "exec koperasi-bot" in entry[2]


def test_dockerfile_healthcheck_and_entrypoint_commands_run(tmp_path):
    """The two shell/Python one-liners, run here as the container would run them."""
    health = next(arg for w, arg in _instructions() if w == "HEALTHCHECK")
    command = json.loads(health.partition("CMD ")[2])
    assert command[:2] == ["python", "-c"]
    done = subprocess.run([sys.executable, "-c", command[2]], env={}, check=False)
    assert done.returncode == 0  # metrics off: healthy while it runs
    closed = subprocess.run(
        [sys.executable, "-c", command[2]], env={"KOPERASI_METRICS_PORT": "1"}, check=False,
        capture_output=True,
    )  # fmt: skip
    assert closed.returncode != 0  # nothing answers /healthz: unhealthy

    entry = json.loads(next(arg for w, arg in _instructions() if w == "ENTRYPOINT"))
    script = entry[2].replace("exec koperasi-bot", "exec touch")
    subprocess.run([entry[0], entry[1], script, entry[3], str(tmp_path / "f")], check=True)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o600


def test_unit_keys():
    unit = _unit()
    service = {key: values for (section, key), values in unit.items() if section == "Service"}
    assert service["User"] == ["koperasi"]
    assert service["UMask"] == ["0077"]
    assert service["StateDirectory"] == ["koperasi-bot"]
    assert service["Restart"] == ["on-failure"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert service["EnvironmentFile"]
    assert service["NoNewPrivileges"] == ["yes"] and service["ProtectSystem"] == ["strict"]
    # Enough for the bot's own quick stop (updates' grace, then calls' grace, then closing).
    stop = int(service["TimeoutStopSec"][0])
    assert STOP_GRACE_SECONDS + CALLS_GRACE_SECONDS + 1 < stop <= 30
    env = dict(v.split("=", 1) for v in service["Environment"])
    assert env["KOPERASI_DB_PATH"].startswith("/var/lib/koperasi-bot/")
    assert env["KOPERASI_BACKUP_DIR"].startswith("/var/lib/koperasi-bot/")  # inside ReadWrite
    assert shlex.split(service["ExecStart"][0])[1:] == ["run"]
    assert unit[("Install", "WantedBy")] == ["multi-user.target"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path):
    # The real ExecStart path exists only once installed: this venv's command stands in.
    command = Path(sys.executable).with_name("koperasi-bot")
    text = UNIT.read_text("utf-8").replace("/opt/koperasi-bot/bin/koperasi-bot", str(command))
    (tmp_path / "koperasi-bot.service").write_text(text, "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "koperasi-bot.service")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Unknown keys and bad values are only warnings to it: none at all.
    assert done.stderr.strip() == "", done.stderr


def test_dockerfile_run_lines_are_valid_shell():
    for word, arg in _instructions():
        if word == "RUN":
            done = subprocess.run(["sh", "-n", "-c", arg], capture_output=True, text=True)
            assert done.returncode == 0, (arg, done.stderr)
