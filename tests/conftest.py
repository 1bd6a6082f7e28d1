"""Test-run settings, and the summary of the site's blocks at the end of ``make test``."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import tinyloop.tasks

# The harness's helpers (docblocks, run_block) sit beside the tests.
sys.path.insert(0, str(Path(__file__).parent))


# Programs and a suite that tests/test_real_software.py runs in child processes, not tests here.
collect_ignore = ["real_software"]


def pytest_itemcollected(item: pytest.Item) -> None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "block" in callspec.params:
        block = callspec.params["block"]
        item.user_properties += [
            ("block_page", block.path),
            ("block_where", block.where),
            ("block_loop", callspec.params["loop"]),
        ]


class BlockSummary:
    """Counts block results as reports arrive (on the xdist controller too)."""

    def __init__(self) -> None:
        self.passed: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.skipped: list[tuple[str, str, str]] = []
        self.blocks: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "block_loop" not in props:
            return
        where, loop = props["block_where"], props["block_loop"]
        self.blocks.add(where)
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.skipped.append((where, loop, str(reason).removeprefix("Skipped: ")))
        elif report.failed:
            self.failed[loop] += 1
        elif report.when == "call":
            self.passed[loop] += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.blocks:
            return
        write = terminalreporter.write_line
        terminalreporter.section("the site's Python blocks")
        write(f"{len(self.blocks)} blocks")
        for loop in ("asyncio", "tinyloop"):
            write(f"  ran and printed what the page shows under {loop}: {self.passed[loop]}")
            if self.failed[loop]:
                write(f"  failed under {loop}: {self.failed[loop]}")
        only = [s for s in self.skipped if s[2].startswith("asyncio only")]
        other = [s for s in self.skipped if s not in only]
        write(f"  asyncio-only (not run on tinyloop): {len(only)}")
        for where, loop, reason in sorted(only):
            write(f"    {where} [{loop}] {reason}")
        write(f"  skipped on this Python (version marks): {len(other)}")
        for where, loop, reason in sorted(other):
            write(f"    {where} [{loop}] {reason}")


class SectionSummary:
    """Prints, at the end of the run, what tests recorded as ``summary: <section title>``
    properties: the words of prose per page, the references to CPython's source checked."""

    def __init__(self) -> None:
        self.sections: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name.startswith("summary: "):
                self.sections[name.removeprefix("summary: ")] = str(value)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for title, text in sorted(self.sections.items()):
            terminalreporter.section(title)
            for line in text.splitlines():
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(BlockSummary(), "block-summary")
    config.pluginmanager.register(SectionSummary(), "section-summary")


@pytest.fixture(params=["asyncio", "tinyloop"])
def aio(request: pytest.FixtureRequest) -> object:
    """The module under test: the real asyncio, then tinyloop; tests written once run on both."""
    import asyncio

    return asyncio if request.param == "asyncio" else tinyloop


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


@pytest.fixture(autouse=True)
def nothing_is_left_over() -> Iterator[None]:
    """After every test: no new file descriptor, no new thread, no tinyloop task still pending."""
    fds, threads = _open_fds(), set(threading.enumerate())
    yield
    gc.collect()
    leaked_fds = _open_fds() - fds
    # A descriptor number reused for another file shows up as neither leaked nor closed, but
    # a count that grew is a leak whatever the numbers.
    assert not leaked_fds, f"file descriptors left open: {sorted(leaked_fds)}"
    leaked_threads = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not leaked_threads, f"threads left running: {leaked_threads}"
    tasks = [ref() for ref in tinyloop.tasks._all_tasks.copy()]
    pending = [task for task in tasks if task is not None and not task.done()]
    assert not pending, f"tinyloop tasks left pending: {pending}"
