"""MkDocs hook: the downloads of the site's programs (``tools/programs.py``), and a link to each
page's own at the end of that page.

The zip files are made when the build collects its files, in a folder of the build's own, and
added to the build like any other file: a link to one resolves, and the strict build checks it.
"""

from __future__ import annotations

import posixpath
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tools/ and tests/docblocks.py, which read the pages' blocks

from tests.docblocks import DocBlock, find_blocks  # noqa: E402
from tools.programs import FOLDER, SITE_BUNDLE, bundle_name, write_bundle  # noqa: E402

_made: dict[str, str] = {}  # a page's src_uri -> the name of its download; refilled each build
_scratch: list[Path] = []  # the folder this build's downloads are in, removed after it
HOME_PAGE = "run-at-home.md"  # the page that explains the downloads


def on_files(files: Files, config: MkDocsConfig) -> Files:
    docs = Path(config.docs_dir)
    blocks = find_blocks(docs)
    by_page: dict[str, list[DocBlock]] = {}
    for block in blocks:
        by_page.setdefault(block.path, []).append(block)
    bundles = {SITE_BUNDLE: (blocks, "the whole site")}
    bundles |= {bundle_name(page): (mine, page) for page, mine in by_page.items()}
    _made.clear()
    _made.update({Path(page).relative_to("docs").as_posix(): bundle_name(page) for page in by_page})
    scratch = Path(tempfile.mkdtemp(prefix="tinyloop-downloads-"))
    _scratch.append(scratch)
    (scratch / FOLDER).mkdir()
    for name, (mine, title) in bundles.items():
        write_bundle(mine, scratch / FOLDER / name, title)
        files.append(
            File(
                f"{FOLDER}/{name}",
                src_dir=str(scratch),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    uri = page.file.src_uri
    if uri not in _made:
        return markdown
    here = posixpath.dirname(uri)
    bundle = posixpath.relpath(f"{FOLDER}/{_made[uri]}", here or ".")
    how = posixpath.relpath(HOME_PAGE, here or ".")
    return (
        f"{markdown}\n\n---\n\n"
        f"[Download this page's programs]({bundle}) with what each prints here, tinyloop and a "
        f"runner, to check them on your own machine ([how]({how})).\n"
    )


def on_post_build(config: MkDocsConfig) -> None:
    while _scratch:
        shutil.rmtree(_scratch.pop(), ignore_errors=True)
