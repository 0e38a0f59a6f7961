"""Pure rules of the cooperative: no Telegram, no database (tested without either)."""


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet (read by pybabel)."""
    return message
