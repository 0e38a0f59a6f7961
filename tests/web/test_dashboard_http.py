"""The dashboard's HTTP face on a real server and a seeded database: who gets what."""

from __future__ import annotations

import csv
import io
import time

import httpx
import pytest

from bot.web.dashboard import dashboard_routes
from bot.web.initdata import sign_init_data
from bot.web.server import start_web_server
from storage.db import Database
from tests.web import dashdata as d


@pytest.fixture
async def site(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        seeded = await d.seed(db)
        server = await start_web_server(dashboard_routes(db, d.TOKEN), listen="127.0.0.1", port=0)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            client.seeded = seeded
            yield client
        await server.stop()


def tma(user_id: int, *, age: int = 0, token: str = d.TOKEN, language: str = "id") -> dict:
    data = sign_init_data(token, {"id": user_id, "first_name": "X", "language_code": language},
                          auth_date=int(time.time()) - age)  # fmt: skip
    return {"Authorization": f"tma {data}"}


def _no_figures(response: httpx.Response) -> None:
    text = response.text
    for secret in ("Kujon", "Pak Darto", "Bu Sumarni", "680", "Koperasi", "Federasi", "Wahyuni"):
        assert secret not in text, secret


async def test_page_and_static_files_are_served_with_a_strict_policy(site):
    page = await site.get("/dasbor/")
    assert page.status_code == 200
    assert 'src="static/dasbor.js"' in page.text and "<script>" not in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = await site.get("/dasbor/static/dasbor.js")
    assert script.status_code == 200 and "innerHTML" not in script.text
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert (await site.get("/dasbor/static/../dashboard.py")).status_code in (403, 404)


@pytest.mark.parametrize(
    "path", ["/dasbor/api/panels", "/dasbor/api/panel/owed", "/dasbor/api/panel/owed.csv"]
)
async def test_without_init_data_401(site, path):
    response = await site.get(path)
    assert response.status_code == 401
    assert response.json()["error"]
    _no_figures(response)


async def test_forged_stale_and_wrong_token_401(site):
    good = tma(d.ADMIN_A)["Authorization"]
    forged = good.replace(f"%22id%22%3A{d.ADMIN_A}", f"%22id%22%3A{d.FED_ADMIN}")
    assert forged != good
    for headers in (
        {"Authorization": forged},
        {"Authorization": good[:-2] + ("00" if not good.endswith("00") else "11")},
        tma(d.ADMIN_A, age=3601),
        tma(d.ADMIN_A, token="123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsax"),
        {"Authorization": good.replace("tma ", "Bearer ")},
        {"Authorization": "tma garbage"},
    ):
        response = await site.get("/dasbor/api/panel/owed", headers=headers)
        assert response.status_code == 401, headers
        _no_figures(response)


async def test_refusal_is_translated(site):
    english = await site.get("/dasbor/api/panels", headers={"Accept-Language": "en-GB,en"})
    indonesian = await site.get("/dasbor/api/panels", headers={"Accept-Language": "id"})
    assert english.json()["error"] != indonesian.json()["error"]
    assert "📊 Dashboard" in english.json()["error"]  # names the button people press
    assert "📊 Dasbor" in indonesian.json()["error"]


@pytest.mark.parametrize("user_id", [d.FARMER_A, d.COORDINATOR_A, d.STRANGER])
async def test_a_farmer_a_coordinator_and_a_stranger_see_nothing(site, user_id):
    for path in ("/dasbor/api/panels", "/dasbor/api/panel/owed", "/dasbor/api/panel/owed.csv",
                 f"/dasbor/api/panel/owed?org={site.seeded.a_id}"):  # fmt: skip
        response = await site.get(path, headers=tma(user_id))
        assert response.status_code == 403, path
        assert response.json()["error"]
        _no_figures(response)


async def test_officer_of_a_sees_a_and_nothing_of_b(site):
    me = await site.get("/dasbor/api/panels", headers=tma(d.ADMIN_A))
    assert me.status_code == 200
    body = me.json()
    assert [o["id"] for o in body["organisations"]] == [site.seeded.a_id]
    assert {p["name"] for p in body["panels"]} >= {
        "purchases",
        "owed",
        "prices",
        "savings",
        "wajib_behind",
        "broadcasts",
    }
    owed = (await site.get("/dasbor/api/panel/owed", headers=tma(d.ADMIN_A))).json()
    assert {r["farmer"]: r["owed"] for r in owed["rows"]} == {
        d.FARMER_A_NAME: 680_000,
        d.FORMULA_FARMER: 340_000,
    }
    assert owed["display"][0]["owed"] == "Rp680.000"
    purchases = (await site.get("/dasbor/api/panel/purchases", headers=tma(d.ADMIN_A))).json()
    assert [(r["village"], r["quantity"], r["amount"]) for r in purchases["rows"]] == [
        ("Kujon", 150, 1_020_000)
    ]
    behind = (await site.get("/dasbor/api/panel/wajib_behind", headers=tma(d.ADMIN_A))).json()
    assert {r["number"]: r["months"] for r in behind["rows"]} == {"A-2": 4, "A-1": 1}
    savings = (await site.get("/dasbor/api/panel/savings", headers=tma(d.ADMIN_A))).json()
    assert {r["kind"]: r["total"] for r in savings["rows"]} == {
        "pokok": 200_000,
        "wajib": 75_000,
        "sukarela": 250_000,
    }
    for name in ("purchases", "owed", "savings", "wajib_behind", "broadcasts"):
        response = await site.get(f"/dasbor/api/panel/{name}", headers=tma(d.ADMIN_A))
        assert "Sumarni" not in response.text and "Setia Asih" not in response.text


async def test_another_cooperative_by_org_parameter_is_refused(site):
    for path in (f"/dasbor/api/panel/owed?org={site.seeded.b_id}", f"/dasbor/api/panel/owed.csv?org={site.seeded.b_id}",
                 f"/dasbor/api/panel/owed?org={site.seeded.fed_id}", "/dasbor/api/panel/owed?org=1", "/dasbor/api/panel/owed?org=x"):  # fmt: skip
        response = await site.get(path, headers=tma(d.ADMIN_A))
        assert response.status_code == 403, path
        assert "Sumarni" not in response.text


async def test_treasurer_of_b_sees_only_b_in_english(site):
    owed = await site.get("/dasbor/api/panel/owed", headers=tma(d.TREASURER_B))
    assert [r["farmer"] for r in owed.json()["rows"]] == [d.FARMER_B_NAME]
    panels = (await site.get("/dasbor/api/panels", headers=tma(d.TREASURER_B))).json()
    assert panels["language"] == "en"  # stored for the person, whatever initData says


async def test_federation_officer_sees_its_member_cooperative_and_may_pick_it(site):
    body = (await site.get("/dasbor/api/panels", headers=tma(d.FED_ADMIN))).json()
    assert [o["id"] for o in body["organisations"]] == [site.seeded.fed_id, site.seeded.a_id]
    owed = await site.get(
        f"/dasbor/api/panel/owed?org={site.seeded.a_id}", headers=tma(d.FED_ADMIN)
    )
    assert owed.status_code == 200 and d.FARMER_A_NAME in owed.text and "Sumarni" not in owed.text
    refused = await site.get(
        f"/dasbor/api/panel/owed?org={site.seeded.b_id}", headers=tma(d.FED_ADMIN)
    )
    assert refused.status_code == 403


async def test_csv_download_with_formulas_neutralised(site):
    response = await site.get("/dasbor/api/panel/owed.csv", headers=tma(d.ADMIN_A))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    by_farmer = {row[0]: row for row in rows[1:]}
    assert "'" + d.FORMULA_FARMER in by_farmer
    assert d.FORMULA_FARMER not in by_farmer
    assert by_farmer[d.FARMER_A_NAME][3] == "680000"  # whole rupiah, as a spreadsheet reads numbers
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


async def test_unknown_panel_is_404(site):
    assert (await site.get("/dasbor/api/panel/nothing", headers=tma(d.ADMIN_A))).status_code == 404
