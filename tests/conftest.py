import os

import pytest

from bot.i18n import load_catalogs
from domain.produce import CATALOG, COMMODITIES, Catalog
from tests.harness import World


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-long", action="store_true", default=False,
        help="run the fuzz test (tests/handlers/test_fuzz.py) with thousands of examples instead of ~150",
    )  # fmt: skip


# The suite's PostgreSQL pass (.ci/run): storage.db makes every SQLite path a schema there.
POSTGRES_URL = os.environ.get("KOPERASI_TEST_PG_URL")


def _test_schemas(conn) -> set[str]:
    rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'").fetchall()
    return {row[0] for row in rows}


@pytest.fixture(autouse=True)
def _postgres_pass(request, monkeypatch):
    """On the PostgreSQL pass, each test's schemas are dropped after it; a test about the
    SQLite file itself (``@pytest.mark.sqlite_file``) runs on SQLite in both passes."""
    if not POSTGRES_URL:
        yield
        return
    if request.node.get_closest_marker("sqlite_file"):
        monkeypatch.delenv("KOPERASI_TEST_PG_URL")
        yield
        return
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        before = _test_schemas(conn)
    yield
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        for schema in sorted(_test_schemas(conn) - before):
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session", autouse=True)
def _catalogs():
    load_catalogs()


@pytest.fixture(autouse=True)
def _seed_catalog():
    """A bot loads the produce catalog from its database into the shared CATALOG: every
    test starts and ends with the seed, whatever the one before edited."""
    CATALOG.replace_with(Catalog(COMMODITIES))
    yield
    CATALOG.replace_with(Catalog(COMMODITIES))


@pytest.fixture
async def world(tmp_path):
    w = await World(str(tmp_path / "koperasi.sqlite3")).start()
    yield w
    await w.stop()
