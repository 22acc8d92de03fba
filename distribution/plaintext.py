"""Plain text of a release for the text/plain part of an email, made from the sanitised HTML
(publishing.rendering.markdown_html), never from the Markdown source: no `**`, `_`, `#` or
`[x](y)` reaches a reader. Links read "text (url)", list items "- " (or "1. "), paragraphs are
separated by a blank line.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

from publishing.rendering import markdown_html

_BLOCKS = {"p", "h2", "h3", "h4", "h5", "blockquote", "pre", "hr"}
_SPACES = re.compile(r"[ \t\r\n\f]+")


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [tag, items so far] per open list
        self.links: list[tuple[str, int]] = []  # (href, index in out where its text starts)
        self.pre = 0

    def _ends_line(self) -> bool:
        for piece in reversed(self.out):
            if piece:
                return piece.endswith(("\n", "- ", ". "))
        return True

    def _break(self, blank: bool) -> None:
        self.out.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._break(blank=True)
            self.pre += tag == "pre"
        elif tag in ("ul", "ol"):
            self._break(blank=not self.lists)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break(blank=False)
            current = self.lists[-1] if self.lists else ["ul", 0]
            current[1] += 1
            marker = "- " if current[0] == "ul" else f"{current[1]}. "
            self.out.append("  " * max(len(self.lists) - 1, 0) + marker)
        elif tag == "br":
            self._break(blank=False)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.pre -= tag == "pre"
            self._break(blank=True)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._break(blank=not self.lists)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.out[start:]).strip()
            shown = href.removeprefix("mailto:")
            if href and not href.startswith("#") and shown != text:
                self.out.append(f" ({shown})" if text else shown)

    def handle_data(self, data):
        if not self.pre:
            data = _SPACES.sub(" ", data)
            if self._ends_line():
                data = data.lstrip(" ")
        self.out.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.out).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


@functools.lru_cache(maxsize=1024)  # pure; the same body serves every variant that shows it
def html_plain_text(fragment: str) -> str:
    """Plain text of a sanitised HTML fragment."""
    if not fragment:
        return ""
    writer = _TextWriter()
    writer.feed(fragment)
    writer.close()
    return writer.text()


def markdown_plain_text(source: str) -> str:
    """Plain text of Markdown, through the pages' allowlist first."""
    return html_plain_text(markdown_html(source or ""))
