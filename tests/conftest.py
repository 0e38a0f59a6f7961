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


def _schemas_under(conn, folder: str) -> list[str]:
    """This run's schemas: each carries the path it stands for as its comment."""
    rows = conn.execute(
        "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace"
        " WHERE nspname LIKE 't\\_%'"
    ).fetchall()
    return sorted(name for name, path in rows if path and path.startswith(folder))


@pytest.fixture(autouse=True)
def _sqlite_file_tests(request, monkeypatch):
    """A test about the SQLite file itself (``@pytest.mark.sqlite_file``) runs on SQLite in
    both passes."""
    if POSTGRES_URL and request.node.get_closest_marker("sqlite_file"):
        monkeypatch.delenv("KOPERASI_TEST_PG_URL")
    yield


@pytest.fixture(scope="module", autouse=True)
def _postgres_schemas(tmp_path_factory):
    """On the PostgreSQL pass, the schemas of this run are dropped after each module (a
    module's fixtures may share a database between its tests)."""
    yield
    if not POSTGRES_URL:
        return
    import psycopg

    folder = os.path.realpath(tmp_path_factory.getbasetemp())
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        for schema in _schemas_under(conn, folder):
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
