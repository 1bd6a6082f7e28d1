"""MkDocs hook: publish the top-level ``images/`` folder as ``images/`` on the site.

The pictures live beside ``docs/`` (the generator writes them there, and tests compare them), so
MkDocs does not see them by itself. Adding each one to the build's file list makes a page's link
``images/event_loop.svg`` resolve like any other file, and lets ``mkdocs build --strict`` report a
link to a picture that does not exist.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

IMAGES = "images"
PICTURES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}  # not images/README.md


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    folder = root / IMAGES
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in PICTURES:
            files.append(
                File(
                    path.relative_to(root).as_posix(),
                    src_dir=str(root),
                    dest_dir=config.site_dir,
                    use_directory_urls=config.use_directory_urls,
                )
            )
    return files
