import pytest

from bot.i18n import load_catalogs
from tests.harness import World


@pytest.fixture(scope="session", autouse=True)
def _catalogs():
    load_catalogs()


@pytest.fixture
async def world(tmp_path):
    w = await World(str(tmp_path / "koperasi.sqlite3")).start()
    yield w
    await w.stop()
