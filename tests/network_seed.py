"""A hub with village cooperatives for the network tests: 30 in Kab. Klaten and 20 in
Kab. Boyolali under one hub, and one cooperative of another hub beside it."""

from __future__ import annotations

from domain import regions
from storage import orgs

KLATEN, BOYOLALI = "33.10", "33.09"


def villages(regency: str, count: int) -> list[str]:
    """The first ``count`` desa codes of a kabupaten, by code."""
    found: list[str] = []
    for district in regions.children(regency):
        found += [v.code for v in regions.children(district.code)]
        if len(found) >= count:
            break
    return found[:count]


async def hub_with_network(db, klaten: int = 30, boyolali: int = 20) -> dict[str, int]:
    """Codes → ids: ``hub`` (under the root), its cooperatives ``kop-<desa code>``, and
    ``other-hub`` with ``kop-other`` (another network)."""
    await db.write(
        orgs.add, code="hub", name="Koperasi Hub Jateng", kind="coop_secondary", parent_code="pusat"
    )
    await db.write(orgs.add, code="other-hub", name="Hub Lain", kind="coop_secondary", parent_code="pusat")  # fmt: skip
    for regency, count in ((KLATEN, klaten), (BOYOLALI, boyolali)):
        for code in villages(regency, count):
            name = f"KDKMP {regions.region(code).name}"
            await db.write(orgs.add, code=f"kop-{code}", name=name, kind="kdkmp", parent_code="hub", village=code)  # fmt: skip
    other = villages("33.11", 1)[0]
    await db.write(orgs.add, code="kop-other", name="KDKMP Lain", kind="kmp", parent_code="other-hub", village=other)  # fmt: skip
    rows = await db.fetchall("SELECT id, code FROM organisations")
    return {row["code"]: row["id"] for row in rows}
