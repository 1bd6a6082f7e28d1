"""Read a built site the way a browser would: which URLs its pages, stylesheets and scripts load.

Only the standard library: ``html.parser`` for pages, a few regular expressions for CSS, and a
small scanner that tells a script's comments from its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# <link rel=…> values that make the browser fetch the link's target, or connect to its host.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
}
# (tag, attribute) pairs whose value is a URL the browser loads.
LOADING_ATTRIBUTES = {
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    # Inline SVG: a picture, or a symbol from another file.
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
}
SRCSET_TAGS = {"img", "source"}

_CSS_COMMENT_OR_STRING = re.compile(
    r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|/\*.*?\*/""", re.DOTALL
)
_CSS_URL = re.compile(r"""url\(\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([^)\s]*))\s*\)""")
_CSS_IMPORT_STRING = re.compile(r"""@import\s+(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)')""")
_ABSOLUTE_HTTP = re.compile(r"""https?://[^\s"'`\\<>)]+""")


def is_another_host(url: str) -> bool:
    """True if loading ``url`` from a page of the site would contact a host of its own."""
    url = url.strip()
    if url.startswith("//"):  # protocol-relative: another host, by the page's scheme
        return True
    scheme = urlsplit(url).scheme.lower()
    # No scheme: a path on the site. data:, blob:, about: and javascript: fetch nothing; any
    # other scheme does.
    return scheme not in {"", "data", "blob", "about", "javascript"}


def css_urls(css: str) -> list[str]:
    """Every ``url(…)`` and ``@import`` of a stylesheet, comments left out."""
    code = _CSS_COMMENT_OR_STRING.sub(lambda m: m.group(1) or " ", css)
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(code)]
    found += [m.group(1) or m.group(2) or "" for m in _CSS_IMPORT_STRING.finditer(code)]
    return found


def srcset_urls(srcset: str) -> list[str]:
    """The URL of each candidate of a ``srcset`` ("a.png 1x, b.png 2x")."""
    return [c.split()[0] for c in srcset.split(",") if c.strip()]


@dataclass
class PageScan:
    """What one HTML page loads, and the theme features it turns on."""

    loads: list[str] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    components: set[str] = field(default_factory=set)  # mkdocs-material's data-md-component


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._inside: str | None = None  # "style" or "script" while in an inline one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        loads = self.scan.loads
        for name, value in values.items():
            if (tag, name) in LOADING_ATTRIBUTES and value:
                loads.append(value)
        if tag == "link" and LOADING_RELS & set(values.get("rel", "").lower().split()):
            loads.append(values.get("href", ""))
        if tag == "link" and "imagesrcset" in values:
            loads += srcset_urls(values["imagesrcset"])
        if tag in SRCSET_TAGS and "srcset" in values:
            loads += srcset_urls(values["srcset"])
        if "style" in values:
            loads += css_urls(values["style"])
        self.scan.classes.update(values.get("class", "").split())
        if "data-md-component" in values:
            self.scan.components.add(values["data-md-component"])
        if tag in {"style", "script"} and "src" not in values:
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self.scan.loads += css_urls(data)
        elif self._inside == "script":
            self.scan.inline_scripts.append(data)


def scan_page(html: str) -> PageScan:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.scan


# After one of these characters (or at the start), a "/" in a script opens a regular expression;
# after anything else (a name, a number, ")" or "]") it divides.
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^")
_KEYWORDS_BEFORE_REGEX = {
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
}


def script_code(source: str) -> str:
    """``source`` with every comment blanked out; strings, templates and regexes kept.

    A scanner, not a parser: it knows strings, template literals (with ``${…}`` inside), regular
    expression literals and comments, which is what it takes to tell a URL in a licence comment
    from a URL in the code of a minified bundle.
    """
    out: list[str] = []
    i, n = 0, len(source)
    braces: list[int] = []  # for each open ${ of a template: the brace depth it returns at
    depth = 0
    last = ""  # the last significant character of code
    word = ""  # the last identifier or keyword of code

    def skip_quoted(start: int, quote: str) -> int:
        j = start + 1
        while j < n and source[j] != quote:
            j += 2 if source[j] == "\\" else 1
        return j + 1

    def template_part(start: int) -> tuple[int, bool]:
        """Scan template text from ``start``; return where it ends and if at a ``${``."""
        j = start
        while j < n:
            if source[j] == "\\":
                j += 2
            elif source[j] == "`":
                return j + 1, False
            elif source.startswith("${", j):
                return j + 2, True
            else:
                j += 1
        return n, False

    while i < n:
        c = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
            continue
        if c in "\"'":
            end = skip_quoted(i, c)
        elif c == "`" or (c == "}" and braces and depth == braces[-1]):
            if c == "}":
                braces.pop()
            end, opened = template_part(i + 1)
            if opened:
                braces.append(depth)
        elif c == "/" and (last in _BEFORE_REGEX or last == "" or word in _KEYWORDS_BEFORE_REGEX):
            end, in_class = i + 1, False
            while end < n and (in_class or source[end] != "/") and source[end] != "\n":
                if source[end] == "\\":
                    end += 1
                elif source[end] == "[":
                    in_class = True
                elif source[end] == "]":
                    in_class = False
                end += 1
            end += 1
        else:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            if c.isalnum() or c in "_$":
                word = word + c if last and (last.isalnum() or last in "_$") else c
            elif not c.isspace():
                word = ""
            if not c.isspace():
                last = c
            out.append(c)
            i += 1
            continue
        out.append(source[i:end])
        last, word = "a", ""  # a literal ends an expression: a "/" after it divides
        i = end
    return "".join(out)


def script_urls(source: str) -> list[str]:
    """Absolute http(s) URLs in the code of a script, not in its comments."""
    return _ABSOLUTE_HTTP.findall(script_code(source))
