"""The bot starts without the libraries that draw, read spreadsheets or write PDFs (~50 MiB and
a second of start-up), nor lokal (its import compiles ~200 patterns, 0.4 s): each is imported
when a chart, a spreadsheet, a statement, a place or a phone number is first needed
(bench.startup measures the start itself)."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEAVY = ("matplotlib", "openpyxl", "fpdf", "tqdm", "lokal")

# What `python -m bot run` does before it polls: the command line parsed, the Application
# built with every handler and job (bot.wiring), its Bot API connection made.
_RUN = """
import json, sys
from bot.cli import _parser
from bot.config import Settings
from bot.wiring import build_application
_parser().parse_args(["run"])
settings = Settings.load(environ={"TELEGRAM_BOT_TOKEN": "123456789:AAExampleExampleExampleExample1234", "KOPERASI_DB_PATH": sys.argv[1]},
                         env_file=None)
build_application(settings)
print(json.dumps(sorted(m for m in %r if m in sys.modules)))
"""


def test_starting_the_bot_imports_no_drawing_spreadsheet_or_pdf_library(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", _RUN % (HEAVY,), str(tmp_path / "bot.sqlite3")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
