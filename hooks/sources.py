"""MkDocs hook: each reference to CPython's source becomes a link, and one that no longer
matches its version's ``Lib/`` fails the strict build, naming the page and line.

The form, the check and the links are ``tools/sources.py``'s.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import sources  # noqa: E402

log = logging.getLogger("mkdocs.hooks.sources")


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    docs = Path(config.docs_dir)
    where = (docs / page.file.src_uri).relative_to(docs.parent).as_posix()
    rendered, problems = sources.render(markdown, where)
    for problem in problems:
        log.warning("a reference to CPython's source no longer matches: %s", problem)
    return rendered
