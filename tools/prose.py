"""Count the words of prose a reader reads on each page of the built site.

A page's prose is the text of its article (`<article class="md-content__inner">`): headings,
paragraphs, lists, tables, admonitions and inline code. Left out: code and output blocks (`<pre>`),
pictures (an `<img>`'s alt text is not shown), the permalink marks, scripts, styles and inline
SVG icons. A word is a run of non-space characters holding a letter or a digit, so `call_soon()`
and `0.3` are one word each and a lone dash is none.

    python -m tools.prose [build/site]   # a table of words per page, the API reference apart

The budgets are issue 14's: the home page at most 2,000 words, the whole site without the API
reference at most 32,000. `tests/test_site.py` checks them on every `make test`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

HOME_BUDGET = 2_000
SITE_BUDGET = 32_000
# Pages outside the count: the API reference is read from tinyloop's docstrings, not written prose.
NOT_COUNTED = {"tinyloop/api/index.html"}

_WORD = re.compile(r"\S*[^\W_]\S*")
# Elements whose text is not prose: code blocks, and what a browser does not show as text.
_SKIPPED = {"pre", "script", "style", "svg", "template"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _ArticleText(HTMLParser):
    """The prose text of the page's article, as a list of strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._article_depth = 0  # >0 inside the article; counts the open elements within it
        self._skip_depth = 0  # >0 inside an element whose text is left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self._article_depth == 0:
            if tag == "article" and "md-content__inner" in classes:
                self._article_depth = 1
            return
        self._article_depth += 1
        if self._skip_depth or tag in _SKIPPED or "headerlink" in classes:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self._article_depth == 0:
            return
        self._article_depth -= 1
        if self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._article_depth and not self._skip_depth:
            self.text.append(data)


def words_of_prose(html: str) -> int:
    """The number of words of prose in one built page."""
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    return len(_WORD.findall(" ".join(parser.text)))


@dataclass(frozen=True)
class Count:
    page: str  # the built page, relative to the site's folder: "time/index.html"
    words: int


def count_site(site: Path) -> list[Count]:
    """Words of prose of every page of the built site in ``site``, the 404 page left out."""
    counts = []
    for path in sorted(site.rglob("index.html")):
        page = path.relative_to(site).as_posix()
        counts.append(Count(page, words_of_prose(path.read_text(encoding="utf-8"))))
    return counts


def home(counts: list[Count]) -> int:
    return next(count.words for count in counts if count.page == "index.html")


def site_total(counts: list[Count]) -> int:
    return sum(count.words for count in counts if count.page not in NOT_COUNTED)


def table(counts: list[Count]) -> str:
    """The counts as a table to print: a line per page, then the totals against their budgets."""
    width = max(len(count.page) for count in counts)
    lines = [f"{'words of prose':>14}  page"]
    for count in sorted(counts, key=lambda count: -count.words):
        mark = "  (not counted)" if count.page in NOT_COUNTED else ""
        lines.append(f"{count.words:>14,}  {count.page:<{width}}{mark}")
    lines.append(f"{home(counts):>14,}  the home page (budget {HOME_BUDGET:,})")
    lines.append(
        f"{site_total(counts):>14,}  the site, API reference apart (budget {SITE_BUDGET:,})"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "build/site")
    if not (site / "index.html").is_file():
        print(f"{site}: no built site here (run `make build` first)", file=sys.stderr)
        return 2
    print(table(count_site(site)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
