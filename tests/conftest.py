import pytest

from bot.i18n import load_catalogs
from domain.produce import CATALOG, COMMODITIES, Catalog
from tests.harness import World


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-long", action="store_true", default=False,
        help="run the fuzz test (tests/handlers/test_fuzz.py) with thousands of examples instead of ~150",
    )  # fmt: skip


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
