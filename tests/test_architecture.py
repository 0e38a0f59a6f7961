"""The layering the project keeps, an onion whose imports point inwards only:

    wiring (bot/wiring.py, bot/cli/, bot/__main__.py) → handlers → bot (the runtime) → storage → domain

pure rules in domain/ (nothing of the project, no Telegram, no database), SQL only in storage/;
the emulator stands apart.

Imports are read with ``ast`` (every ``import`` statement in the file, also inside functions and
``if TYPE_CHECKING:``; relative imports resolved), so formatting cannot hide one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")

#: Top-level packages of this repository (the product, and what only tests and benchmarks use).
PRODUCT = ("bot", "domain", "handlers", "storage")
REPO_PACKAGES = (*PRODUCT, "emulator", "tests", "bench")

#: Imports that break a rule below but are tolerated for now, each with the reason and the
#: file it is in: (path relative to the repository, imported name) → why. A fixed violation
#: must leave this list too (test_known_violations_still_exist).
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}

#: The outermost layer: builds the Application with the handlers, the `koperasi-bot` command.
WIRING = ("bot.wiring", "bot.cli", "bot.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for everything ``source`` imports; ``from a import b`` gives ``a.b``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _violations(folder: str, breaks_rule) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        source = path.read_text("utf-8")
        for line, name in imported_names(source, _module_name(path), path.name == "__init__.py"):
            if breaks_rule(name) and (rel, name) not in KNOWN_VIOLATIONS:
                found.append(f"{rel}:{line} imports {name}")
    return found


def test_domain_imports_nothing_of_the_project_nor_telegram_nor_a_database():
    def breaks(name: str) -> bool:
        return _within(name, "telegram", "aiosqlite", *REPO_PACKAGES) and not _within(
            name, "domain"
        )

    assert _violations("domain", breaks) == []


def test_storage_imports_only_the_domain_of_the_product():
    def breaks(name: str) -> bool:
        return _within(name, *REPO_PACKAGES) and not _within(name, "storage", "domain")

    assert _violations("storage", breaks) == []


def test_the_runtime_imports_no_handlers_only_the_wiring_does():
    wiring_files = tuple(m.replace(".", "/") for m in WIRING)
    found = _violations("bot", lambda name: _within(name, "handlers", *WIRING))
    assert [v for v in found if not v.startswith(wiring_files)] == []


def test_handlers_do_not_import_the_wiring_or_the_runtime():
    assert (
        _violations(
            "handlers",
            lambda name: _within(name, *WIRING, "bot.app", "bot.runtime.updates", "bot.runtime"),
        )
        == []
    )


def test_emulator_imports_no_product_code():
    assert _violations("emulator", lambda name: _within(name, *PRODUCT, "tests", "bench")) == []


def test_known_violations_still_exist():
    for (rel, name), _why in KNOWN_VIOLATIONS.items():
        path = ROOT / rel
        names = {
            n
            for _, n in imported_names(
                path.read_text("utf-8"), _module_name(path), path.name == "__init__.py"
            )
        }
        assert name in names, f"{rel} no longer imports {name}: remove it from KNOWN_VIOLATIONS"


def test_imports_are_read_from_the_syntax_tree():
    source = (
        "import bot.app\n"
        "from bot import runtime, domain\n"
        "from . import sibling\n"
        "from ..domain import people\n"
        "def later():\n"
        "    from storage.db import Database\n"
        "s = 'from handlers import start'\n"  # a string is not an import
    )
    names = [name for _, name in imported_names(source, "storage.sub.mod")]
    assert names == [
        "bot.app",
        "bot.runtime",
        "bot.domain",
        "storage.sub.sibling",
        "storage.domain.people",
        "storage.db.Database",
    ]
    assert [n for _, n in imported_names("from .x import y", "emulator", is_package=True)] == [
        "emulator.x.y"
    ]


def test_sql_lives_in_storage_only():
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not SQL.search(path.read_text("utf-8")), path


def test_the_web_pages_import_no_handlers_nor_the_wiring():
    """bot/web (dashboard, demo page) stands beside handlers: it reads storage and renders."""
    assert _violations("bot/web", lambda name: _within(name, "handlers", *WIRING)) == []
