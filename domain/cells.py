"""Cells written to CSV or a spreadsheet: a text a spreadsheet would run as a formula
(OWASP's CSV injection) is quoted, whoever exports it (the CLI's sheets, the dashboard's CSV)."""

#: What a spreadsheet takes for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, quoted the OWASP way (``'=1+1``)."""
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value
