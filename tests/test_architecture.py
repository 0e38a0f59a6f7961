"""The layering the project keeps: pure rules in bot/domain, SQL only in storage/."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")


def test_domain_imports_neither_telegram_nor_aiosqlite():
    for path in (ROOT / "bot" / "domain").rglob("*.py"):
        text = path.read_text("utf-8")
        assert not re.search(r"^\s*(from|import) (telegram|aiosqlite)\b", text, re.M), path


def test_sql_lives_in_storage_only():
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not SQL.search(path.read_text("utf-8")), path
