"""The harness and ``make expected-output`` under bad edits (review s2, Part A): each bad edit gets
a message that names the page and line, and no tool damages a page.

Each test writes a small page of its own in a temporary folder; the site's pages are not touched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.docblocks import DocBlock, blocks_in, check
from tests.site_build import copy_project
from tools import check_links, expected_output

FENCE = "```"
MARKER = "<!--pytest-codeblocks:expected-output-->"


def page(tmp_path: Path, *parts: str) -> Path:
    """A page made of ``parts``, each a paragraph or a fenced block, with blank lines between."""
    path = tmp_path / "page.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def python(*lines: str) -> str:
    return "\n".join([f"{FENCE}python", *lines, FENCE])


def text(*lines: str) -> str:
    return "\n".join([f"{FENCE}text", *lines, FENCE])


def only_block(path: Path) -> DocBlock:
    [block] = blocks_in(path)
    return block


def rewrite(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``make expected-output PAGE=path``: its exit status and what it printed to stderr."""
    status = expected_output.main([str(path)])
    return status, capsys.readouterr().err


def test_a_block_that_prints_what_the_page_shows_passes(tmp_path: Path) -> None:
    path = page(tmp_path, python('print("hello")'), MARKER, text("hello"))
    assert check(only_block(path), "asyncio", tmp_path) is None


def test_a_changed_output_line_fails_naming_the_line_and_the_difference(tmp_path: Path) -> None:
    path = page(tmp_path, python('print("one")', 'print("two")'), MARKER, text("one", "deux"))
    problem = check(only_block(path), "tinyloop", tmp_path)
    assert problem is not None
    assert problem.startswith(
        f"{path}:1: under tinyloop the block prints something other than the page shows\n"
        f"the first line that differs: {path}:10\n"
    )
    assert "-deux\n+two\n" in problem


def test_a_marker_followed_by_prose_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = page(tmp_path, python('print("hello")'), MARKER, "Some prose.", text("unrelated"))
    problem = check(only_block(path), "asyncio", tmp_path)
    assert problem == (
        f"{path}:5: the expected-output marker is followed by 'Some prose.', not a ```text fence"
    )


def test_a_marker_followed_by_a_python_block_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = page(tmp_path, python('print("one")'), MARKER, python('print("two")'))
    problem = check(blocks_in(path)[0], "asyncio", tmp_path)
    assert problem is not None
    assert problem.startswith(f"{path}:5: the expected-output marker is followed by a python fence")


def test_a_marker_at_the_end_of_the_page_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = page(tmp_path, python('print("hello")'), MARKER)
    problem = check(only_block(path), "asyncio", tmp_path)
    assert problem is not None
    assert problem.startswith(f"{path}:5: the expected-output marker ends the page")


def test_expected_output_leaves_a_page_alone_where_a_marker_has_no_output_fence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python('print("one")'), MARKER, python('print("two")'))
    before = path.read_text()
    status, err = rewrite(path, capsys)
    assert (status, path.read_text()) == (1, before)
    assert f"{path}:5: the expected-output marker is followed by a python fence" in err


def test_expected_output_rewrites_only_the_output_fence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, "# Title", python('print("new")'), MARKER, text("old"), "After.")
    before = path.read_text()
    assert rewrite(path, capsys)[0] == 0
    assert path.read_text() == before.replace("\nold\n", "\nnew\n")


def test_expected_output_adds_an_output_block_where_there_was_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python('print("new")'), "After.")
    assert rewrite(path, capsys)[0] == 0
    assert check(only_block(path), "asyncio", tmp_path) is None
    assert path.read_text().endswith(f"{MARKER}\n\n{text('new')}\n\nAfter.\n")


def test_expected_output_removes_the_output_block_of_a_block_that_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python("pass"), MARKER, text("old"), "After.")
    assert rewrite(path, capsys)[0] == 0
    assert path.read_text() == python("pass") + "\n\nAfter.\n"


def test_expected_output_keeps_the_notes_between_an_annotated_block_and_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = "1.  A note on the line marked (1)."
    path = page(tmp_path, python("pass  # (1)!"), notes, MARKER, text("old"), "After.")
    assert rewrite(path, capsys)[0] == 0
    assert path.read_text() == "\n\n".join([python("pass  # (1)!"), notes, "After."]) + "\n"


def test_output_holding_a_fence_gets_a_longer_fence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python('print("```")', 'print("after")'), MARKER, text("old"), "End.")
    assert rewrite(path, capsys)[0] == 0
    assert "\n````text\n```\nafter\n````\n\nEnd.\n" in path.read_text()
    block = only_block(path)
    assert block.expected_output == "```\nafter\n"
    assert check(block, "asyncio", tmp_path) is None


def test_expected_output_refuses_a_block_that_prints_different_things_on_different_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python("import os", "print(os.urandom(8).hex())"), "After.")
    before = path.read_text()
    status, err = rewrite(path, capsys)
    assert (status, path.read_text()) == (1, before)
    assert f"{path}:1: prints different things on different runs under asyncio" in err


def test_expected_output_names_a_difference_between_the_loops_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = page(tmp_path, python("import asyncio", "print(asyncio.__name__)"), "After.")
    before = path.read_text()
    status, err = rewrite(path, capsys)
    assert (status, path.read_text()) == (1, before)
    assert f"{path}:1: asyncio and tinyloop print different things (each the same on 3" in err


@pytest.mark.parametrize("loop", ["asyncio", "tinyloop"])
def test_a_block_that_leaves_a_thread_running_fails_and_names_it(tmp_path: Path, loop: str) -> None:
    code = python(
        "import threading",
        'threading.Thread(target=threading.Event().wait, daemon=True, name="forgotten").start()',
    )
    problem = check(only_block(page(tmp_path, code)), loop, tmp_path)
    assert problem is not None
    assert f"the block under {loop} failed (exit 4)" in problem
    assert "thread 'forgotten' (daemon=True)" in problem


def test_a_block_that_keeps_a_socket_open_fails_and_names_it(tmp_path: Path) -> None:
    code = python("import socket", "import sys", "sys.keep = socket.socket()")
    problem = check(only_block(page(tmp_path, code)), "asyncio", tmp_path)
    assert problem is not None
    assert "the block left open when it ended:" in problem
    assert "<socket.socket fd=" in problem


def test_a_block_that_keeps_a_file_open_fails_and_names_it(tmp_path: Path) -> None:
    code = python("import sys", 'sys.keep = open("notes.txt", "w")')
    problem = check(only_block(page(tmp_path, code)), "asyncio", tmp_path)
    assert problem is not None
    assert "name='notes.txt'" in problem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="children are read from /proc")
def test_a_block_that_leaves_a_child_process_fails_and_names_it(tmp_path: Path) -> None:
    code = python(
        "import subprocess",
        "import sys",
        # The child says it is up, then waits for its stdin to close, which happens when the
        # block's process ends.
        """child = ["-c", "import sys; print('up', flush=True); sys.stdin.read()"]""",
        "pipes = {'stdin': subprocess.PIPE, 'stdout': subprocess.PIPE}",
        "sys.keep = subprocess.Popen([sys.executable, *child], **pipes)",
        "sys.keep.stdout.readline()",
    )
    problem = check(only_block(page(tmp_path, code)), "asyncio", tmp_path)
    assert problem is not None
    assert "child process" in problem
    assert "print('up', flush=True); sys.stdin.read()" in problem


@pytest.mark.parametrize("module", ["docblocks", "tests", "tools", "pytest"])
def test_a_block_cannot_import_what_a_readers_machine_lacks(tmp_path: Path, module: str) -> None:
    """Only the standard library and tinyloop: not the harness's helpers, nor the venv's
    packages."""
    problem = check(only_block(page(tmp_path, python(f"import {module}"))), "asyncio", tmp_path)
    assert problem is not None
    assert f"ModuleNotFoundError: No module named '{module}'" in problem


def test_a_block_can_import_tinyloop_as_a_readers_copy_has_it(tmp_path: Path) -> None:
    path = page(tmp_path, python("import tinyloop", "print(tinyloop.__name__)"), MARKER)
    path.write_text(path.read_text() + "\n" + text("tinyloop") + "\n")
    assert check(only_block(path), "asyncio", tmp_path) is None


def test_a_block_that_hangs_is_killed_and_what_it_printed_is_shown(tmp_path: Path) -> None:
    code = python('print("got this far", flush=True)', "import time", "time.sleep(60)")
    problem = check(only_block(page(tmp_path, code)), "asyncio", tmp_path, timeout=2)
    assert problem == (
        f"{tmp_path / 'page.md'}:1: the block under asyncio was still running after 2 s and "
        "was killed (does it hang?); it had printed:\ngot this far\n"
    )


def test_a_syntax_error_names_the_page_line_without_the_runners_frames(tmp_path: Path) -> None:
    path = page(tmp_path, python("print('fine')", "def broken(:", "    pass"))
    problem = check(only_block(path), "asyncio", tmp_path)
    assert problem is not None
    assert f'File "{path}", line 3' in problem
    assert "run_block.py" not in problem


def test_check_links_names_each_broken_link_anchor_and_picture_by_page_and_line(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "project")
    time_page = project / "docs" / "time.md"
    lines = time_page.read_text(encoding="utf-8").splitlines()
    broken = [
        "[a page that is not there](no-such-page.md)",
        "[a section that is not there](tasks.md#no-such-anchor)",
        "![a picture that is not there](images/no-such-picture.svg)",
    ]
    time_page.write_text("\n".join([*lines, "", *broken]) + "\n", encoding="utf-8")
    first = len(lines) + 2
    problems = check_links.check([time_page, project / "docs" / "tasks.md"], project)
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        f"docs/time.md:{first + n}" for n in range(3)
    ], problems
    assert "no-such-page.md" in problems[0]
    assert "#no-such-anchor" in problems[1]
    assert "images/no-such-picture.svg" in problems[2]
