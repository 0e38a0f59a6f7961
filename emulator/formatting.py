"""Turn text + parse_mode into Telegram's plain text + entities (best effort).

Telegram answers with the *rendered* text (markup removed) and `entities` whose offsets
are counted in UTF-16 code units; the error strings mimic TDLib's parser so bots see
the same "can't parse entities" failures they would in production.  This is a
simplified parser: it catches the mistakes bots actually make (unescaped reserved
characters, unknown or unclosed tags), not every corner of the real grammar.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import ApiError, bad_request


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


class _Builder:
    """Accumulates output text while tracking the UTF-16 position for entity offsets."""

    __slots__ = ("parts", "pos", "entities")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        # Telegram lists entities by offset, outer (longer) entity first.
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


# ---------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_ATTR_RE = re.compile(r"""([A-Za-z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_TAG_NAME_RE = re.compile(r"[^\s>]*")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(src)
    while i < n:
        lt = src.find("<", i)
        amp = src.find("&", i)
        nxt = min(x for x in (lt, amp, n) if x >= 0)
        out.add(src[i:nxt])
        i = nxt
        if i >= n:
            break
        if src[i] == "&":
            m = _HTML_ENTITY_RE.match(src, i)
            if m:  # unknown entities stay literal text, as in TDLib
                out.add(html.unescape(m.group(0)))
                i = m.end()
            else:
                out.add("&")
                i += 1
            continue
        begin = i
        end = src.find(">", i + 1)
        if src.startswith("</", i):
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            if end < 0:
                raise _parse_error(
                    f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
                )
            name = src[i + 2 : end].strip().lower()
            tag, start, attrs = stack[-1]
            if name and name != tag:
                raise _parse_error(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            stack.pop()
            _close_html(out, tag, start, attrs, stack)
            i = end + 1
            continue
        # Like TDLib: the tag name runs to a space or '>', and is checked before the end.
        name_end = _TAG_NAME_RE.match(src, i + 1).end()
        if name_end >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        name = src[i + 1 : name_end].lower()
        if name not in _HTML_TAGS:
            raise _parse_error(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}'
            )
        if end < 0:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        body = src[i + 1 : end].rstrip("/")
        attrs = {
            m.group(1).lower(): next((g for g in m.group(2, 3, 4) if g is not None), "")
            for m in _ATTR_RE.finditer(body, len(name))
        }
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error('Tag "span" must have class "tg-spoiler"')
        stack.append((name, out.pos, attrs))
        i = end + 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html(out: _Builder, tag: str, start: int, attrs: dict[str, str], stack: list) -> None:
    kind = _HTML_TAGS[tag]
    if kind == "text_link":
        href = attrs.get("href", "")
        if href:
            out.entity("text_link", start, url=href)
    elif kind == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is a pre block with a language, not inline code.
        lang = attrs.get("class", "")
        if lang.startswith("language-"):
            stack[-1][2]["language"] = lang[len("language-") :]
    elif kind == "pre":
        lang = attrs.get("language")
        if lang:
            out.entity("pre", start, language=lang)
        else:
            out.entity("pre", start)
    elif kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


# ---------------------------------------------------------------- MarkdownV2

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (kind, utf16 start, byte offset of marker)
    i, n = 0, len(src)

    def toggle(kind: str) -> None:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == kind:
                _, start, _ = stack.pop(k)
                out.entity(kind, start)
                return
        stack.append((kind, out.pos, _byte_offset(src, i)))

    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            out.add(src[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top in ("code", "pre"):
            # inside code only ` and \ are special
            if top == "pre" and src.startswith("```", i):
                kind, start, _ = stack.pop()
                out.entity("pre", start)
                i += 3
            elif top == "code" and c == "`":
                kind, start, _ = stack.pop()
                out.entity("code", start)
                i += 1
            else:
                out.add(c)
                i += 1
            continue
        if c not in _MD2_RESERVED:
            j = i + 1
            while j < n and src[j] not in _MD2_RESERVED and src[j] != "\\":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        if c == "*":
            toggle("bold")
            i += 1
        elif c == "_":
            if src.startswith("__", i):
                toggle("underline")
                i += 2
            else:
                toggle("italic")
                i += 1
        elif c == "~":
            toggle("strikethrough")
            i += 1
        elif c == "|" and src.startswith("||", i):
            toggle("spoiler")
            i += 2
        elif c == "`":
            if src.startswith("```", i):
                stack.append(("pre", out.pos, _byte_offset(src, i)))
                i += 3
                nl = src.find("\n", i)
                if nl >= 0 and src[i:nl].strip() and " " not in src[i:nl].strip():
                    i = nl + 1  # first line is the language name
            else:
                stack.append(("code", out.pos, _byte_offset(src, i)))
                i += 1
        elif c == "[":
            stack.append(("text_link", out.pos, _byte_offset(src, i)))
            i += 1
        elif c == "]" and any(k == "text_link" for k, _, _ in stack):
            if stack[-1][0] != "text_link":  # an inner marker was left open
                kind, _, offset = stack[-1]
                raise _parse_error(
                    f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {offset}"
                )
            _, start, _ = stack.pop()
            i += 1
            if i < n and src[i] == "(":
                j = i + 1
                url: list[str] = []
                while j < n and src[j] != ")":
                    if src[j] == "\\" and j + 1 < n:
                        j += 1
                    url.append(src[j])
                    j += 1
                if j >= n:
                    raise _parse_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(src, i)}"
                    )
                out.entity("text_link", start, url="".join(url))
                i = j + 1
        elif c == ">" and (i == 0 or src[i - 1] == "\n"):
            # Blockquote lines: treated as plain quoted text (entity omitted for brevity).
            i += 1
        else:
            raise _parse_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
    if stack:
        kind, _, offset = stack[-1]
        raise _parse_error(f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {offset}")
    return out.result()


# ---------------------------------------------------------------- legacy Markdown

_MD1_KINDS = {"*": "bold", "_": "italic", "`": "code"}


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = i
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end < 0:
                raise _parse_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}"
                )
            start = out.pos
            out.add(src[i + 3 : end])
            out.entity("pre", start)
            i = end + 3
            continue
        if c == "[":
            close = src.find("]", i + 1)
            if close < 0 or not src.startswith("(", close + 1) or src.find(")", close) < 0:
                raise _parse_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}"
                )
            url_end = src.find(")", close)
            start = out.pos
            out.add(src[i + 1 : close])
            out.entity("text_link", start, url=src[close + 2 : url_end])
            i = url_end + 1
            continue
        end = src.find(c, i + 1)
        if end < 0:
            raise _parse_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}"
            )
        start = out.pos
        out.add(src[i + 1 : end])
        out.entity(_MD1_KINDS[c], start)
        i = end + 1
    return out.result()


def render(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) the way Telegram would store the message."""
    if entities:  # explicit entities win over parse_mode, as in the Bot API
        return text, list(entities)
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown(text)
    raise bad_request("unsupported parse_mode")


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram attaches to '/cmd' or '/cmd@bot' at the start."""
    m = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?", text)
    if not m:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]
