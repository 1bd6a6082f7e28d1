"""The downloads of the site's programs (``tools/programs.py``), unpacked in an empty folder and
run with ``run_programs.py`` as a reader runs them, on the Python running the tests."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.docblocks import DocBlock, blocks_in, find_blocks
from tools.programs import write_bundle


def unpacked(blocks: list[DocBlock], folder: Path) -> Path:
    """``folder/home``, an empty folder with the download of ``blocks`` unpacked in it."""
    write_bundle(blocks, folder / "programs.zip", "a test")
    home = folder / "home"
    with zipfile.ZipFile(folder / "programs.zip") as bundle:
        bundle.extractall(home)
    return home


def run_programs(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-I", "run_programs.py", *args]
    return subprocess.run(command, cwd=home, capture_output=True, text=True, timeout=600)


def a_page(tmp_path: Path, *blocks: str) -> list[DocBlock]:
    """The blocks of ``docs/page.md`` in a project folder of its own."""
    page = tmp_path / "project" / "docs" / "page.md"
    page.parent.mkdir(parents=True)
    page.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return blocks_in(page, tmp_path / "project")


def test_every_program_of_the_site_prints_what_its_page_shows_from_the_download(
    tmp_path: Path,
) -> None:
    done = run_programs(unpacked(find_blocks(), tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert ", 0 different, " in done.stdout, done.stdout


def test_a_program_that_prints_something_else_is_different_with_the_diff(tmp_path: Path) -> None:
    blocks = a_page(
        tmp_path,
        '```python\nprint("what it prints")\n```',
        "<!--pytest-codeblocks:expected-output-->",
        "```text\nwhat the page says\n```",
    )
    done = run_programs(unpacked(blocks, tmp_path), "--loop", "asyncio")
    assert done.returncode == 1
    assert "page-1 [asyncio]: different\n" in done.stdout
    assert "    -what the page says\n    +what it prints\n" in done.stdout


def test_a_program_for_another_python_is_skipped_with_the_pages_reason(tmp_path: Path) -> None:
    mark = '<!--pytest.mark.skipif(sys.version_info < (3, 99), reason="needs Python 3.99")-->'
    blocks = a_page(tmp_path, mark + '\n```python\nprint("never")\n```')
    done = run_programs(unpacked(blocks, tmp_path))
    assert done.returncode == 0
    assert "page-2 [asyncio]: skipped (needs Python 3.99)\n" in done.stdout
    assert "0 same, 0 different, 2 skipped\n" in done.stdout


def test_an_asyncio_only_program_is_skipped_under_tinyloop_only(tmp_path: Path) -> None:
    mark = '<!--pytest.mark.asyncio_only(reason="shows the C accelerator")-->'
    blocks = a_page(tmp_path, mark + "\n```python\npass\n```")
    done = run_programs(unpacked(blocks, tmp_path))
    assert "page-2 [asyncio]: same\n" in done.stdout
    assert "page-2 [tinyloop]: skipped (asyncio only: shows the C accelerator)\n" in done.stdout


def test_the_same_pages_make_the_same_download(tmp_path: Path) -> None:
    blocks = find_blocks()
    write_bundle(blocks, tmp_path / "one.zip", "the site")
    write_bundle(blocks, tmp_path / "two.zip", "the site")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
