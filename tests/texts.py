"""What the bot says, by message id: tests assert facts and msgids, so a wording fix in the
catalog does not break them (one test per language still reads a whole conversation)."""

from __future__ import annotations

from bot.i18n import gettext, use_locale


def said(msgid: str, language: str = "id", **values: object) -> str:
    """The text the bot sends for ``msgid`` in ``language``, filled with ``values``."""
    with use_locale(language):
        text = gettext(msgid)
    return text.format(**values) if values else text


def first_line(msgid: str, language: str = "id") -> str:
    return said(msgid, language).split("\n", 1)[0]
