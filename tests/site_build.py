"""Build the site with ``mkdocs build --strict``, once per test run however many workers ask."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIME_LIMIT = 120.0  # seconds; a build takes a few


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str  # mkdocs' stdout and stderr
    site_dir: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def build_site(project: Path, site_dir: Path) -> Build:
    """``mkdocs build --strict`` of the project in ``project``, as ``make build`` runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=BUILD_TIME_LIMIT,
    )
    return Build(result.returncode, result.stdout + result.stderr, site_dir)


def copy_project(destination: Path) -> Path:
    """A copy of what the build reads (mkdocs.yml, CONTRIBUTING.md, docs/, images/, hooks/), to
    break on purpose."""
    if destination.exists():  # left by a caller that failed half-way: start again
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", destination / "mkdocs.yml")
    shutil.copy2(ROOT / "CONTRIBUTING.md", destination / "CONTRIBUTING.md")  # the Contributing page
    for folder in ("docs", "images", "hooks"):
        if (ROOT / folder).is_dir():  # git keeps no empty folder: images/ may be absent
            shutil.copytree(ROOT / folder, destination / folder)
    # The API reference is read from tinyloop's source (mkdocstrings, `paths: [.]`).
    (destination / "tinyloop").symlink_to(ROOT / "tinyloop", target_is_directory=True)
    return destination


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder of this test run, shared by its xdist workers.

    Under pytest-xdist each worker runs a session of its own, and the site's tests land on
    several workers (`--dist loadgroup` would keep them on one, but with pytest 9.2 and
    pytest-xdist 3.8 it has no effect: xdist tags each test by assigning `item._nodeid`, which
    pytest no longer reads). A build kept here is made once per run however many workers ask.
    """
    folder = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        folder = folder.parent  # this run's folder, above each worker's own
    return folder


def build_once(shared: Path, name: str, project: Callable[[Path], Path]) -> Build:
    """Build ``project(folder)`` into ``shared/build-<name>/site`` and return that build; the
    first caller builds, under a lock, and every later one (other workers) reads its result."""
    folder = shared / f"build-{name}"
    result = folder / "result.json"
    with (shared / f"build-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            folder.mkdir(exist_ok=True)
            build = build_site(project(folder), folder / "site")
            result.write_text(json.dumps([build.returncode, build.output]), encoding="utf-8")
    returncode, output = json.loads(result.read_text(encoding="utf-8"))
    return Build(returncode, output, folder / "site")


# mkdocs names the page (relative to docs/) and the link, not the line.
_LINK_WARNING = re.compile(
    r"Doc file '(?P<page>[^']+)' contains (?:a|an \w+) link '(?P<link>[^']+)'"
)


def link_problems(output: str, project: Path = ROOT) -> list[str]:
    """The link, anchor and picture warnings in mkdocs' ``output``, each as
    ``docs/PAGE.md:LINE: <mkdocs' words>``, the line being where the link is written, in the
    order of the pages and lines."""
    problems = []
    for line in output.splitlines():
        found = _LINK_WARNING.search(line)
        if found is None:
            continue
        page = Path("docs") / found["page"]
        where = (page.as_posix(), _line_of(project / page, found["link"]))
        problems.append((where, line[found.start() :].strip()))
    return [f"{page}:{number}: {message}" for (page, number), message in sorted(problems)]


def _line_of(page: Path, link: str) -> int:
    """The first line of ``page`` that writes ``link`` (0 if none does: a link made by a macro)."""
    for number, text in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if link in text:
            return number
    return 0
