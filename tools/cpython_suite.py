"""``python -m tools.cpython_suite [--json OUT] [--min-pass PERCENT] [module ...]``: CPython's own
``test_asyncio`` run against tinyloop's loop, the way uvloop runs it against uvloop.

The suites are the running interpreter's own (``test.test_asyncio.<module>``), so each Python
checks the contract of its own asyncio. Each module runs in a child process of its own (``--child
MODULE``), so that the patches and whatever a module leaks stay in that module. Before the child
imports the module it makes every loop the tests create tinyloop's: ``asyncio.SelectorEventLoop``
(and ``EventLoop``, ``unix_events._UnixSelectorEventLoop``) and the default policy's
``_loop_factory`` become ``SuiteLoop``, tinyloop's loop in loop mode (it makes asyncio's own
``Future`` and ``Task``), which takes and ignores the ``selector`` argument the tests pass;
``asyncio.new_event_loop`` asks the policy, as asyncio's does, so that a test's own policy still
gives its own loop. Tests that build ``base_events.BaseEventLoop`` or ``test_utils.TestLoop``
themselves still run on asyncio's loop: each test's record says how many tinyloop loops it made.

``test_futures`` and ``test_tasks`` run only their pure-Python ``Future`` and ``Task`` classes
(``PyFutureTests``, ``PyFutureDoneCallbackTests``, ``PyFutureInheritanceTests``,
``PyTask_PyFuture_Tests`` and its ``add_subclass_tests`` twin), subclassed to test
``tinyloop.Future`` and ``tinyloop.Task`` instead (and, from 3.14, ``tinyloop.current_task`` and
``tinyloop.all_tasks``), on the ``test_utils.TestLoop`` they make.

``cpython_suite_excluded.txt`` lists the tests that check asyncio's private internals rather than
the loop's contract, one ``test id # reason`` a line. They run, but are counted apart.

The table: ``run`` counts the tests outside the excluded ones (passed + failed + errors +
skipped; an expected failure counts as passed, an unexpected success as failed); ``excl`` the
excluded ones; ``not-run`` those a module timeout left; ``no-tl`` the tests that made no tinyloop
loop. ``pass %`` is passed / (run - skipped); ``tl %`` the same without the ``no-tl`` tests.
Below it, the commonest causes of failures and errors: the exception's first line, the frame it
was raised from, and two of its tests.

A test that runs longer than ``--test-timeout`` ends its child; the module then goes on in a new
child without the tests already done, within ``MODULE_TIMEOUT`` seconds for the whole module. So
does a test still running ``THREAD_GRACE`` seconds after one of its threads died of an exception:
it fails with that exception. (3.14's ``call_soon_threadsafe_handle`` tests assert in a thread
that the handle is asyncio's ``events._ThreadSafeHandle``; the thread that failed never stops the
loop, and the nine of them in test_events would otherwise take 540 of its 600 seconds.) A child
kills the child processes its tests left behind (they would keep its stdout open) and ends without
joining the threads they left.

``--min-pass PERCENT`` makes the run a check (``make test-cpython`` runs it on every version): it
exits 1, naming the Python version, its total pass % and the threshold, when the total row's
``pass %`` is below PERCENT.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import importlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unittest
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED_FILE = Path(__file__).with_name("cpython_suite_excluded.txt")
PACKAGE = "test.test_asyncio"
LOOP_SUITES = (
    "test_events",
    "test_streams",
    "test_sock_lowlevel",
    "test_server",
    "test_subprocess",
    "test_runners",
    "test_locks",
    "test_queues",
    "test_timeouts",
    "test_taskgroups",
    "test_waitfor",
    "test_pep492",
    "test_context",
    "test_base_events",
)
CLASS_SUITES = ("test_futures", "test_tasks")
MODULES = LOOP_SUITES + CLASS_SUITES
MODULE_TIMEOUT = 600.0  # seconds for one module, over all its children
TEST_TIMEOUT = 60.0  # seconds for one test before its child is ended
THREAD_GRACE = 10.0  # seconds a test may go on after one of its threads died of an exception
DETAIL_LIMIT = 4000  # characters of traceback kept per test

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
XFAIL, XPASS, NOT_RUN = "expected failure", "unexpected success", "not run"
# The worse outcome wins when one test reports two (a failure, then an error in its cleanup).
_RANK = {PASS: 0, XFAIL: 0, SKIP: 1, XPASS: 2, FAIL: 3, ERROR: 4}

# What unittest hands a result: sys.exc_info() of the exception (typeshed spells it this way).
ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
Record = dict[str, Any]  # outcome, detail, seconds, loops

# Taken before any test runs: tests patch time.monotonic and time.sleep.
_monotonic = time.monotonic
_sleep = time.sleep


def short_id(test_id: str) -> str:
    """``test.test_asyncio.test_events.X.test_y`` as ``test_events.X.test_y``."""
    return test_id.removeprefix(PACKAGE + ".")


def read_excluded(path: Path = EXCLUDED_FILE) -> dict[str, str]:
    """The excluded tests, short id to reason: ``test_x.Class.test_y  # reason`` a line."""
    excluded: dict[str, str] = {}
    for line in path.read_text().splitlines():
        test_id, _, reason = line.partition(" # ")
        if test_id.strip() and not test_id.lstrip().startswith("#"):
            excluded[short_id(test_id.strip())] = reason.strip()
    return excluded


# -- the child: one module, in this process ---------------------------------------------------


class _Counter:
    loops = 0  # tinyloop loops made so far in this process


def patch_asyncio() -> type:
    """Make every loop asyncio hands out tinyloop's; return the loop class used."""
    import asyncio
    import asyncio.events
    import asyncio.unix_events

    from tinyloop.asyncio_compat import AsyncioEventLoop

    class SuiteLoop(AsyncioEventLoop):
        """tinyloop's loop in loop mode; ``selector`` (asyncio's loops take one) is ignored."""

        def __init__(self, selector: object = None) -> None:
            _Counter.loops += 1
            super().__init__(asyncio_tasks=True)

    # 3.14 deprecates get_event_loop_policy() and asks the policy through the private
    # _get_event_loop_policy(), which does not warn: a warning asyncio would not give could fail
    # a test that checks the warnings it gets.
    get_policy = getattr(
        asyncio.events, "_get_event_loop_policy", asyncio.events.get_event_loop_policy
    )

    def new_event_loop() -> asyncio.AbstractEventLoop:
        # The policy's, as asyncio's own does: the default policy's factory is SuiteLoop (below),
        # and a test that sets a policy of its own (test_runners) gets that policy's loop.
        loop: asyncio.AbstractEventLoop = get_policy().new_event_loop()
        return loop

    asyncio.new_event_loop = asyncio.events.new_event_loop = new_event_loop
    for module in (asyncio, asyncio.unix_events):
        for name in ("SelectorEventLoop", "EventLoop", "_UnixSelectorEventLoop"):
            if name in vars(module):
                setattr(module, name, SuiteLoop)
    # The default policy's loop factory (3.11-3.13: DefaultEventLoopPolicy, bound to
    # _UnixSelectorEventLoop when asyncio was imported; 3.14: _DefaultEventLoopPolicy).
    bases = tuple(
        base
        for name in ("BaseDefaultEventLoopPolicy", "_BaseDefaultEventLoopPolicy")
        if isinstance(base := vars(asyncio.events).get(name), type)
    )
    for module in (asyncio.events, asyncio.unix_events):
        for value in list(vars(module).values()):
            if isinstance(value, type) and issubclass(value, bases):
                value._loop_factory = SuiteLoop  # type: ignore[attr-defined]
    return SuiteLoop


def class_suite_classes(module: ModuleType) -> list[type[unittest.TestCase]]:
    """test_futures' and test_tasks' pure-Python Future and Task classes, made to test
    tinyloop's ``Future`` and ``Task``."""
    import tinyloop

    name = module.__name__
    classes: list[type[unittest.TestCase]] = []

    def make(
        class_name: str, bases: tuple[type, ...], namespace: dict[str, Any]
    ) -> type[unittest.TestCase]:
        made = type(
            class_name, bases, {"__module__": name, "__qualname__": class_name, **namespace}
        )
        assert issubclass(made, unittest.TestCase)
        return made

    if name.endswith(".test_futures"):
        classes.append(
            make("TinyloopFutureTests", (module.PyFutureTests,), {"cls": tinyloop.Future})
        )

        def new_future(self: Any) -> Any:
            return tinyloop.Future(loop=self.loop)

        classes.append(
            make(
                "TinyloopFutureDoneCallbackTests",
                (module.PyFutureDoneCallbackTests,),
                {"_new_future": new_future},
            )
        )
        if hasattr(module, "PyFutureInheritanceTests"):
            classes.append(
                make(
                    "TinyloopFutureInheritanceTests",
                    (module.PyFutureInheritanceTests,),
                    {"_get_future_cls": lambda self: tinyloop.Future},
                )
            )
    elif name.endswith(".test_tasks"):
        # 3.14's BaseTaskTests asks the class for the current_task() and all_tasks() that go with
        # its Task, as PyTask_PyFuture_Tests gives asyncio's pure-Python ones: tinyloop's here.
        # (3.11-3.13's call asyncio.current_task() and asyncio.all_tasks() instead.)
        own = {
            "Task": tinyloop.Task,
            "Future": tinyloop.Future,
            "current_task": staticmethod(tinyloop.current_task),
            "all_tasks": staticmethod(tinyloop.all_tasks),
        }
        classes.append(make("TinyloopTaskTests", (module.PyTask_PyFuture_Tests,), own))
        add_subclass_tests = getattr(module, "add_subclass_tests", None)
        if add_subclass_tests is not None:
            test_utils = importlib.import_module(f"{PACKAGE}.utils")
            base = (module.BaseTaskTests, test_utils.TestCase)
            classes.append(add_subclass_tests(make("TinyloopTaskSubclassTests", base, own)))
    else:
        raise ValueError(f"{name} has no Future or Task classes")
    return classes


def iter_tests(suite: unittest.TestSuite | unittest.TestCase) -> Iterator[unittest.TestCase]:
    if isinstance(suite, unittest.TestSuite):
        for item in suite:
            yield from iter_tests(item)
    else:
        yield suite


def drop_tests(suite: unittest.TestSuite, skip: set[str]) -> unittest.TestSuite:
    """The suite without the tests whose ids are in ``skip``, its nesting kept."""
    kept = unittest.TestSuite()
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            kept.addTest(drop_tests(item, skip))
        elif item.id() not in skip:
            kept.addTest(item)
    return kept


def describe(exc: BaseException) -> tuple[str, str]:
    """An exception's first line, and the innermost frame it was raised from (unittest's own left
    out): what the failure is, and where."""
    message = str(exc).strip().splitlines()
    cause = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if f"{os.sep}unittest{os.sep}" not in frame.filename
    ]
    where = (
        f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else ""
    )
    return cause[:300], where


class Recorder(unittest.TestResult):
    """Records each test's outcome, how long it took and how many tinyloop loops it made, and
    writes each one to ``progress`` (one JSON line) as soon as it is known."""

    def __init__(self, progress: TextIO | None) -> None:
        super().__init__()
        self.records: dict[str, Record] = {}
        self.progress = progress
        self.current: str | None = None
        self.started = 0.0
        self._loops_at_start = 0
        self._children_at_start: set[int] = set()
        # The first thread of the current test that died of an exception: when, which, and why.
        self.thread_died: tuple[float, str, BaseException] | None = None

    def loops(self) -> int:
        """The tinyloop loops the current test has made so far."""
        return _Counter.loops - self._loops_at_start

    def emit(self, event: dict[str, Any]) -> None:
        if self.progress is not None:
            self.progress.write(json.dumps(event) + "\n")
            self.progress.flush()

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self.current = test.id()
        self.started = _monotonic()
        self._loops_at_start = _Counter.loops
        self._children_at_start = children()
        self.thread_died = None
        self.records[self.current] = {"outcome": None, "detail": ""}
        self.emit({"event": "start", "test": self.current})

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        record = self.records[test.id()]
        if record["outcome"] is None:  # only subtests reported, and none failed
            record["outcome"] = PASS
        record["seconds"] = round(_monotonic() - self.started, 3)
        record["loops"] = self.loops()
        left = children() - self._children_at_start
        if left:  # still running, or never reaped: it may be what keeps a later test waiting
            record["children_left"] = len(left)
        self.current = None
        self.emit({"event": "done", "test": test.id(), **record})

    def _set(
        self, test: unittest.TestCase, outcome: str, detail: str = "", err: ExcInfo | None = None
    ) -> None:
        test_id = test.id()
        record = self.records.get(test_id)
        if record is None:  # setUpClass, setUpModule: an _ErrorHolder, never started
            record = self.records[test_id] = {"outcome": None, "detail": "", "loops": 0}
        worse = record["outcome"] is None or _RANK[outcome] > _RANK[record["outcome"]]
        if worse:
            record["outcome"] = outcome
        if err is not None and err[1] is not None:
            detail = (detail + "\n" + "".join(traceback.format_exception(err[1]))).strip()
            if worse or "cause" not in record:
                record["cause"], record["where"] = describe(err[1])
        if detail:
            record["detail"] = (record["detail"] + "\n" + detail).strip()[-DETAIL_LIMIT:]
        if test_id != self.current:
            self.emit({"event": "done", "test": test_id, **record})

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._set(test, PASS)

    def addFailure(self, test: unittest.TestCase, err: ExcInfo) -> None:
        super().addFailure(test, err)
        self._set(test, FAIL, err=err)

    def addError(self, test: unittest.TestCase, err: ExcInfo) -> None:
        super().addError(test, err)
        self._set(test, ERROR, err=err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._set(test, SKIP, reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: ExcInfo) -> None:
        super().addExpectedFailure(test, err)
        self._set(test, XFAIL)

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._set(test, XPASS)

    def addSubTest(
        self,
        test: unittest.TestCase,
        subtest: unittest.TestCase,
        err: ExcInfo | None,
    ) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None and err[0] is not None:
            failed = issubclass(err[0], test.failureException)
            self._set(test, FAIL if failed else ERROR, str(subtest), err)


def children() -> set[int]:
    """This process's child processes (Linux; none found elsewhere)."""
    found: set[int] = set()
    try:
        for task in os.scandir("/proc/self/task"):
            with open(os.path.join(task.path, "children")) as file:
                found.update(map(int, file.read().split()))
    except OSError:
        pass
    return found


def end_children() -> int:
    """Kill and reap the child processes the tests left: they would hold this process's stdout
    open, and the parent reads it to the end."""
    left = children()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # gone already, or reaped by a thread that waits for it
    return len(left)


def watch_threads(recorder: Recorder) -> None:
    """Note on the recorder the first thread of the current test that dies of an exception, then
    report it as threading does (to stderr, the log). A test that expects one replaces the hook
    (test.support's ``catch_threading_exception``), so that this one is not called."""
    report = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        exc = args.exc_value
        first = recorder.current is not None and recorder.thread_died is None
        if first and exc is not None and not isinstance(exc, SystemExit):
            name = args.thread.name if args.thread is not None else "?"
            recorder.thread_died = (_monotonic(), name, exc)
        report(args)

    threading.excepthook = hook


def watchdog(recorder: Recorder, limit: float, progress: TextIO | None) -> None:
    """End this process when one test has run for ``limit`` seconds, or for ``THREAD_GRACE``
    seconds after one of its threads died of an exception (a thread's loop)."""
    while True:
        _sleep(1.0)
        test_id = recorder.current
        if test_id is None:
            continue
        died = recorder.thread_died
        if _monotonic() - recorder.started > limit:
            note = f"still running after {limit:.0f}s"
            record = {"outcome": ERROR, "detail": f"timeout: {note}", "cause": "timeout"}
        elif died is not None and _monotonic() - died[0] > THREAD_GRACE:
            _, name, exc = died
            note = f"still running {THREAD_GRACE:.0f}s after its thread {name} died"
            cause, where = describe(exc)
            trace = "".join(traceback.format_exception(exc))
            detail = f"{note}, of this exception:\n{trace}"[-DETAIL_LIMIT:]
            outcome = FAIL if isinstance(exc, AssertionError) else ERROR  # as unittest counts
            record = {"outcome": outcome, "detail": detail, "cause": cause, "where": where}
        else:
            continue
        print(f"cpython_suite: {test_id} {note}", file=sys.stderr)
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        recorder.emit({"event": "done", "test": test_id, **record, "loops": recorder.loops()})
        end_children()
        sys.stderr.flush()
        os._exit(124)


def run_child(module_name: str, skip: set[str], progress: TextIO | None, limit: float) -> None:
    """Run one module's tests here and print one JSON line: each test id and its record."""
    patch_asyncio()
    module = importlib.import_module(f"{PACKAGE}.{module_name}")
    loader = unittest.TestLoader()
    if module_name in CLASS_SUITES:
        suite = unittest.TestSuite(
            loader.loadTestsFromTestCase(cls) for cls in class_suite_classes(module)
        )
    else:
        suite = loader.loadTestsFromModule(module)
    suite = drop_tests(suite, skip)
    recorder = Recorder(progress)
    recorder.emit({"event": "plan", "tests": [test.id() for test in iter_tests(suite)]})
    watch_threads(recorder)
    threading.Thread(target=watchdog, args=(recorder, limit, progress), daemon=True).start()
    suite.run(recorder)
    recorder.current = None
    threads = [thread.name for thread in threading.enumerate() if not thread.daemon]
    left = {"children_killed": end_children(), "threads_left": len(threads) - 1}
    recorder.emit({"event": "end", **left})
    sys.stdout.flush()
    version = ".".join(map(str, sys.version_info[:3]))
    result = {"module": module_name, "python": version, **left, "tests": recorder.records}
    print(json.dumps(result))
    sys.stdout.flush()
    sys.stderr.flush()
    if progress is not None:
        progress.flush()
    # Not the interpreter's exit: it would join whatever threads the tests left running.
    os._exit(0)


# -- the parent: every module, each in its children -------------------------------------------


_ENDED = "the child process ended in this test"


def read_progress(path: Path) -> tuple[list[str], dict[str, Record], dict[str, Any] | None]:
    """A child's progress file: the planned test ids, the finished records, and what the child
    said at its end (None if it never got there)."""
    plan: list[str] = []
    records: dict[str, Record] = {}
    started: str | None = None
    end: dict[str, Any] | None = None
    for line in path.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut short when the child ended
        kind = event.pop("event")
        if kind == "plan":
            plan = event["tests"]
        elif kind == "start":
            started = event["test"]
        elif kind == "done":
            records[event.pop("test")] = event
            started = None
        elif kind == "end":
            end = event
    if started is not None and end is None:
        records[started] = {"outcome": ERROR, "detail": _ENDED, "cause": "crash"}
    return plan, records, end


def read_result(stdout: str) -> dict[str, Any] | None:
    """The JSON line a child prints last, if it got that far."""
    for line in reversed(stdout.splitlines()):
        if line.startswith('{"module": '):
            try:
                result: dict[str, Any] = json.loads(line)
            except ValueError:
                return None
            return result
    return None


def run_module(module: str, test_timeout: float, log: TextIO) -> dict[str, Any]:
    """One module's records, over as many children as its hung or crashed tests need: each
    child runs the tests the ones before it did not."""
    deadline = _monotonic() + MODULE_TIMEOUT
    plan: list[str] = []
    records: dict[str, Record] = {}
    result: dict[str, Any] = {"children": 0, "children_killed": 0, "threads_left": 0, "note": ""}
    with tempfile.TemporaryDirectory(prefix="cpython_suite.") as tmp:
        while True:
            result["children"] += 1
            progress = Path(tmp, f"{result['children']}.jsonl")
            skip = Path(tmp, f"{result['children']}.skip")
            skip.write_text("".join(f"{test_id}\n" for test_id in records))
            command = [sys.executable, "-m", "tools.cpython_suite", "--child", module]
            command += ["--progress", str(progress), "--skip-from", str(skip)]
            command += ["--test-timeout", str(test_timeout)]
            remaining = max(deadline - _monotonic(), 1.0)
            stdout = ""
            try:
                done = subprocess.run(
                    command, cwd=ROOT, capture_output=True, text=True, timeout=remaining
                )
                returncode: int | None = done.returncode
                stdout, stderr = done.stdout, done.stderr
            except subprocess.TimeoutExpired as exc:
                returncode = None
                stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            log.write(f"== {module} (child {result['children']}, exit {returncode})\n{stderr}")
            if not progress.exists():
                result["note"] = f"the child wrote nothing (exit {returncode}): {stderr[-2000:]}"
                break
            child_plan, child_records, end = read_progress(progress)
            plan = plan or child_plan
            printed = read_result(stdout)
            records.update(child_records if printed is None else printed["tests"])
            if end is not None:
                result["children_killed"] += end["children_killed"]
                result["threads_left"] = max(result["threads_left"], end["threads_left"])
                break
            if returncode is None:
                result["note"] = note = f"module timeout ({MODULE_TIMEOUT:.0f} s)"
                for record in child_records.values():
                    if record["detail"] == _ENDED:
                        record["detail"], record["cause"] = note, "module timeout"
                break
            if not child_records:  # ended before its first test: setUpModule, say
                result["note"] = f"the child ended (exit {returncode}) before any test"
                break
    for test_id in plan:
        records.setdefault(test_id, {"outcome": NOT_RUN, "detail": result["note"]})
    return {**result, "tests": records}


def on_tinyloop(test_id: str, record: Record) -> bool:
    """Whether the test made a tinyloop loop (test_futures and test_tasks test tinyloop's
    classes on asyncio's test loop: always)."""
    return not short_id(test_id).startswith(LOOP_SUITES) or record.get("loops") != 0


def _rate(passed: int, counted: int) -> float | None:
    return passed / counted if counted else None


def summarize(tests: dict[str, Record], excluded: dict[str, str]) -> dict[str, Any]:
    counts: collections.Counter[str] = collections.Counter()
    for test_id, record in tests.items():
        outcome = "excluded" if short_id(test_id) in excluded else record["outcome"]
        counts[outcome] += 1
        if outcome in (PASS, XFAIL, FAIL, XPASS, ERROR) and not on_tinyloop(test_id, record):
            counts["no_tinyloop"] += 1
            counts["no_tinyloop_passed"] += outcome in (PASS, XFAIL)
    passed = counts[PASS] + counts[XFAIL]
    failed = counts[FAIL] + counts[XPASS]
    counted = passed + failed + counts[ERROR]
    return {
        "run": counted + counts[SKIP],
        "passed": passed,
        "failed": failed,
        "errors": counts[ERROR],
        "skipped": counts[SKIP],
        "excluded": counts["excluded"],
        "not_run": counts[NOT_RUN],
        "no_tinyloop": counts["no_tinyloop"],
        "no_tinyloop_passed": counts["no_tinyloop_passed"],
        "rate": _rate(passed, counted),
        "tinyloop_rate": _rate(
            passed - counts["no_tinyloop_passed"], counted - counts["no_tinyloop"]
        ),
    }


COLUMNS = ("run", "passed", "failed", "errors", "skipped", "excluded", "not_run", "no_tinyloop")
HEADINGS = ("run", "passed", "failed", "errors", "skipped", "excl", "not-run", "no-tl")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}"


def overall(summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The modules' summaries added up, with the rates over all of them: the table's ``total``."""
    total: collections.Counter[str] = collections.Counter()
    for summary in summaries.values():
        total.update({key: summary[key] for key in (*COLUMNS, "no_tinyloop_passed")})
    counted = total["passed"] + total["failed"] + total["errors"]
    return {
        **total,
        "rate": _rate(total["passed"], counted),
        "tinyloop_rate": _rate(
            total["passed"] - total["no_tinyloop_passed"], counted - total["no_tinyloop"]
        ),
    }


def table(summaries: dict[str, dict[str, Any]]) -> str:
    """One row a module: the counts, the pass rate without skips and excluded tests, and the
    same rate over the tests that made a tinyloop loop (``tl %``)."""
    rows = [*summaries.items(), ("total", overall(summaries))]
    lines = [f"{'module':<20}" + "".join(f"{h:>8}" for h in (*HEADINGS, "pass %", "tl %"))]
    for name, summary in rows:
        cells = "".join(f"{summary[column]:>8}" for column in COLUMNS)
        rates = f"{_percent(summary['rate']):>8}{_percent(summary['tinyloop_rate']):>8}"
        lines.append(f"{name:<20}{cells}{rates}")
    return "\n".join(lines)


def cause(record: Record) -> str:
    """A failure's cause, for counting alike ones together: its exception's first line, without
    the addresses, descriptors and ports that differ from one run to the next."""
    text = record.get("cause") or (record["detail"].strip().splitlines() or ["?"])[-1]
    text = re.sub(r"0x[0-9a-f]+", "0x…", text)
    text = re.sub(r"fd=\d+", "fd=…", text)
    return re.sub(r"(\d+\.\d+\.\d+\.\d+'?, )\d{4,5}", r"\1…", text)[:160]


def causes(results: dict[str, dict[str, Any]], excluded: dict[str, str], top: int) -> str:
    """The ``top`` commonest causes of failures and errors outside the excluded tests, each
    with the frame it was most often raised from and two of its tests."""
    seen: collections.Counter[str] = collections.Counter()
    where: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[str]] = collections.defaultdict(list)
    for result in results.values():
        for test_id, record in result["tests"].items():
            if record["outcome"] in (FAIL, ERROR) and short_id(test_id) not in excluded:
                key = cause(record)
                seen[key] += 1
                where[key][record.get("where", "")] += 1
                examples[key].append(short_id(test_id))
    lines = []
    for key, count in seen.most_common(top):
        place = where[key].most_common(1)[0][0]
        lines.append(
            f"{count:>5}  {key}\n       at {place or '?'}; e.g. {', '.join(examples[key][:2])}"
        )
    return "\n".join(lines)


def tinyloop_revision() -> str:
    """The commit tinyloop/ was run at, and whether its files differed from it."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "(no git)"
    changed = git("status", "--porcelain", "--", "tinyloop")
    return f"{commit} with local changes" if changed else commit


def has_package() -> bool:
    """Whether this interpreter has ``test.test_asyncio``: Debian's keeps only ``test.support``."""
    try:
        return importlib.util.find_spec(PACKAGE) is not None
    except ImportError:  # no ``test`` package at all
        return False


def main(argv: Iterable[str] | None = None) -> int | str:
    parser = argparse.ArgumentParser(prog="python -m tools.cpython_suite", description=__doc__)
    parser.add_argument("modules", nargs="*", metavar="module", help="default: all of them")
    parser.add_argument("--json", type=Path, help="write every test's outcome here")
    parser.add_argument("--child", metavar="MODULE", help=argparse.SUPPRESS)
    parser.add_argument("--progress", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-from", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT)
    parser.add_argument("--causes", type=int, default=15, help="list the N commonest causes")
    parser.add_argument("--log", type=Path, help="append the children's stderr here")
    parser.add_argument(
        "--min-pass",
        type=float,
        metavar="PERCENT",
        help="exit 1 when the total pass %% (as the table prints it) is below PERCENT",
    )
    args = parser.parse_args(None if argv is None else list(argv))

    if args.child is not None:
        skip = set(args.skip_from.read_text().split()) if args.skip_from else set()
        if args.progress is None:
            run_child(args.child, skip, None, args.test_timeout)
        else:
            with args.progress.open("a") as progress:
                run_child(args.child, skip, progress, args.test_timeout)
        return 0

    modules = args.modules or list(MODULES)
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        parser.error(f"not a module of the suite: {', '.join(unknown)}")
    version = ".".join(map(str, sys.version_info[:3]))
    if not has_package():
        # Else every module's child fails to import it, and the table says only "not run".
        minor = ".".join(map(str, sys.version_info[:2]))
        return (
            f"error: Python {version} ({sys.executable}) has no {PACKAGE}: Debian and Ubuntu "
            f"ship it apart, in libpython{minor}-testsuite; those make pythons puts in .pythons/ "
            "have it"
        )
    excluded = read_excluded()
    results: dict[str, dict[str, Any]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    log_path = args.log or Path(os.devnull)
    with log_path.open("a") as log:
        for module in modules:
            began = _monotonic()
            results[module] = run_module(module, args.test_timeout, log)
            summaries[module] = summary = summarize(results[module]["tests"], excluded)
            for test_id, record in results[module]["tests"].items():
                if short_id(test_id) in excluded:
                    record["excluded"] = excluded[short_id(test_id)]
            note = f" ({results[module]['note']})" if results[module]["note"] else ""
            print(
                f"{module}: {summary['passed']}/{summary['run']} passed "
                f"in {_monotonic() - began:.0f}s{note}",
                file=sys.stderr,
                flush=True,
            )
    revision = tinyloop_revision()
    print(f"Python {sys.version.split()[0]}, tinyloop {revision} in loop mode")
    print(table(summaries))
    present = sum(summary["excluded"] for summary in summaries.values())
    print(f"{present} excluded tests ({EXCLUDED_FILE.name} lists {len(excluded)} for all versions)")
    if args.causes:
        print(f"\nThe {args.causes} commonest causes of failures and errors:")
        print(causes(results, excluded, args.causes))
    if args.json is not None:
        document = {
            "python": version,
            "tinyloop": revision,
            "excluded": excluded,
            "summaries": summaries,
            "modules": results,
        }
        args.json.write_text(json.dumps(document, indent=1) + "\n")
    if args.min_pass is not None:
        return below_threshold(version, overall(summaries)["rate"], args.min_pass)
    return 0


def below_threshold(version: str, rate: float | None, min_pass: float) -> int | str:
    """0 when the total pass rate is at least ``min_pass`` percent, else the message to exit
    with. The rate is compared as the table prints it, to one decimal, so that the message and
    the table agree: a table's 89.96 reads 90.0 and meets ``--min-pass 90``."""
    if rate is None:
        return f"error: Python {version}: no test passed or failed (--min-pass {min_pass:g}%)"
    percent = round(100 * rate, 1)
    if percent < min_pass:
        return (
            f"error: Python {version}: {percent:.1f}% of CPython's test_asyncio passed on "
            f"tinyloop, below the threshold of {min_pass:g}% (--min-pass)"
        )
    print(f"Python {version}: {percent:.1f}% passed, at least the threshold of {min_pass:g}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
