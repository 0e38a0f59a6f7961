"""What a use case returned, kept with the update that caused it.

A replayed update (processed again after a crash) gets its use cases' stored results
instead of running them again, so it answers exactly what the first run would have: the
same invite link, the same offer number, the same receipt. Results are encoded as JSON:
plain values, exact Decimals, tuples, lists, sets, dicts, enums and dataclasses of ``domain`` and
``storage`` (named by module and class, rebuilt field by field).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
from decimal import Decimal
from typing import Any

import aiosqlite

_TRUSTED_MODULES = ("domain", "storage")
MISSING = object()


class ResultNotStorable(TypeError):
    """A use case returned something that cannot be stored for a replay."""


def _type_name(kind: type) -> str:
    if not kind.__module__.startswith(_TRUSTED_MODULES):
        raise ResultNotStorable(
            f"{kind.__module__}.{kind.__qualname__} is not a domain or storage type"
        )
    return f"{kind.__module__}:{kind.__qualname__}"


def _type_of(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith(_TRUSTED_MODULES):
        raise ResultNotStorable(name)
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _encode(value: Any) -> Any:
    if (
        value is None
        or isinstance(value, bool | int | float | str)
        and not isinstance(value, enum.Enum)
    ):
        return value
    if isinstance(value, Decimal):  # quantities: kept exact, as their text
        return {"$dec": str(value)}
    if isinstance(value, enum.Enum):
        return {"$enum": _type_name(type(value)), "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$dc": _type_name(type(value)), "f": fields}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, frozenset | set):
        return {"$set": sorted((_encode(v) for v in value), key=json.dumps)}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"$dict": {k: _encode(v) for k, v in value.items()}}
    raise ResultNotStorable(f"cannot store a {type(value).__name__} as a use-case result")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$enum" in value:
        return _type_of(value["$enum"])(value["v"])
    if "$dc" in value:
        return _type_of(value["$dc"])(**{k: _decode(v) for k, v in value["f"].items()})
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$set" in value:
        return frozenset(_decode(v) for v in value["$set"])
    return {k: _decode(v) for k, v in value["$dict"].items()}


def encode(result: Any) -> str:
    return json.dumps(_encode(result), ensure_ascii=False)


def decode(text: str) -> Any:
    return _decode(json.loads(text))


class ReplayMismatch(RuntimeError):
    """An update processed again reached its n-th write with another use case than the
    first time: its stored result belongs to that other use case and must not be returned
    (the handler took another path; the update fails loudly instead of misrouting)."""


def use_case_name(use_case: Any) -> str:
    return f"{use_case.__module__}.{use_case.__qualname__}"


async def recall(
    conn: aiosqlite.Connection, update_id: int, seq: int, use_case: str | None = None
) -> Any:
    """The stored result of this update's ``seq``-th write, or MISSING if it never ran.
    Raises :class:`ReplayMismatch` when it was stored by another use case than ``use_case``."""
    async with conn.execute(
        "SELECT result, use_case FROM update_effects WHERE update_id = ? AND seq = ?",
        (update_id, seq),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return MISSING
    stored = row["use_case"]
    if use_case is not None and stored is not None and stored != use_case:
        raise ReplayMismatch(
            f"update {update_id}, write #{seq}: stored by {stored}, replayed as {use_case}"
        )
    return decode(row["result"])


async def record(
    conn: aiosqlite.Connection,
    update_id: int,
    seq: int,
    result: Any,
    at: int,
    use_case: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO update_effects (update_id, seq, result, recorded_at, use_case)"
        " VALUES (?, ?, ?, ?, ?)",
        (update_id, seq, encode(result), at, use_case),
    )


async def forget_before(conn: aiosqlite.Connection, before: int) -> None:
    await conn.execute("DELETE FROM update_effects WHERE recorded_at < ?", (before,))
