"""Pickups: the time windows a coordinator offers a farmer."""

from __future__ import annotations

# (start hour, end hour), local time where the farmer lives.
WINDOWS = ((6, 9), (9, 12), (12, 15), (15, 18))


def window_code(window: tuple[int, int]) -> str:
    return f"{window[0]:02d}{window[1]:02d}"


def parse_window(code: str) -> tuple[int, int] | None:
    """``"0609"`` → (6, 9) when it is one of WINDOWS, else None (forged data)."""
    found = [w for w in WINDOWS if window_code(w) == code]
    return found[0] if found else None
