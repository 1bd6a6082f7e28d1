"""``python -m tools.pythons [install | check]``: the supported Pythons, found or installed.

The project supports CPython 3.11 to 3.15 (``SUPPORTED``). An interpreter counts as present when a
working one is on PATH (``python3.X``), under pyenv (``~/.pyenv/versions/3.X.*``) or in this
project's git-ignored ``.pythons/3.X/``. ``find()`` is what ``noxfile.py`` (``make test-all``) runs.

``install`` (``make pythons``) fills the gaps from Debian's unstable suite, sid, which carries the
newest Pythons. ``mmdebstrap --variant=extract`` resolves ``python3.X``, ``python3.X-venv`` and
``libpython3.X-testsuite`` (``DEBIAN_PACKAGES``) with every library they link, checks the archive's
signatures and extracts the packages into one folder: nothing is installed on the machine, and its
apt sources are not read or changed. The test suite is there for ``tools/cpython_suite.py``, which
runs the interpreter's own ``test.test_asyncio`` against tinyloop: Debian's standard library keeps
only ``test.support`` and ``test.libregrtest`` of the ``test`` package and ships the tests apart.
The folder is then made runnable where it lies, because Debian builds for ``/usr``:

- ``patchelf`` points the interpreter at the folder's own dynamic loader and libraries, so that it
  runs on sid's glibc and OpenSSL rather than the machine's older ones;
- the folder's ``sysconfig`` data names the folder's wheel directory, so that ``-m venv`` (which
  runs ``ensurepip``) installs sid's pip, not a pip of the machine's ``/usr/share/python-wheels``.

A version that is already present is left alone, so a second run does nothing, except a folder in
``.pythons/`` that fails the probe an install ends with (``_check_runs``: what the tests need
imports, ``test.test_asyncio`` included): it is installed again, so that a folder made before a
package was added to ``DEBIAN_PACKAGES`` gets it. A version sid does not carry is an error naming
the package; a newer patch release than last time is not. ``check`` lists what is present and what
is missing; with ``CI=true`` a missing version is a failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".pythons"
SUPPORTED = ("3.11", "3.12", "3.13", "3.14", "3.15")
SUITE = "sid"
# The registry this machine reaches serves a copy of the archive whose Release file is past its
# Valid-Until date. The signature over it, and the hashes it lists, are still checked.
APT_OPTIONS = ['Acquire::Check-Valid-Until "false"']
TOOLS = ("mmdebstrap", "patchelf")
MULTIARCH = "x86_64-linux-gnu"
DEBIAN_WHEELS = "/usr/share/python-wheels/"  # where Debian's ensurepip looks for pip
# What each version's folder is made of, with what these depend on ({minor} is "3.14"). The file
# PACKAGES in the folder lists every package that was extracted.
DEBIAN_PACKAGES = ("python{minor}", "python{minor}-venv", "libpython{minor}-testsuite")
# What the tests need of an interpreter, imported by _check_runs: ctypes, sqlite3 and ssl are
# extension modules that link libraries of the folder; venv is nox's; test.test_asyncio is what
# tools/cpython_suite.py runs, and its utils module imports test.support.
PROBE = "import ctypes, platform, sqlite3, ssl, venv, test.test_asyncio.utils"


def _version(executable: str | Path) -> str | None:
    """``3.12.1`` if ``executable`` runs, else None (a pyenv shim for a version not selected)."""
    try:
        done = subprocess.run(
            [str(executable), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _candidates(minor: str) -> Iterator[str]:
    name = f"python{minor}"
    on_path = shutil.which(name)
    if on_path:
        yield on_path
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    yield from sorted(map(str, pyenv.glob(f"{minor}.*/bin/{name}")))
    yield str(_interpreter(HOME / minor, minor))


def _interpreter(prefix: Path, minor: str) -> Path:
    return prefix / "usr" / "bin" / f"python{minor}"


def find() -> dict[str, tuple[str, str]]:
    """One working interpreter per supported minor: ``{"3.12": ("3.12.1", "/path/python3.12")}``."""
    found: dict[str, tuple[str, str]] = {}
    for minor in SUPPORTED:
        for candidate in _candidates(minor):
            version = _version(candidate)
            if version and version.startswith(f"{minor}."):
                found[minor] = (version, candidate)
                break
    return found


def _ensure_tools() -> None:
    """mmdebstrap and patchelf, from the machine's own apt sources if they are missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(
            f"make pythons needs {' and '.join(missing)}: sudo apt-get install {' '.join(missing)}"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    subprocess.run(install, check=True, env=environment)


def _extract(minor: str, target: Path) -> None:
    """sid's ``DEBIAN_PACKAGES`` for ``minor``, with what they depend on, unpacked in ``target``."""
    command = ["mmdebstrap", "--variant=extract", "--quiet"]
    command += [f"--aptopt={option}" for option in APT_OPTIONS]
    command += ["--include=" + ",".join(name.format(minor=minor) for name in DEBIAN_PACKAGES)]
    # What was extracted, for the record: the downloaded packages are deleted after this hook.
    command += ['--extract-hook=ls "$1/var/cache/apt/archives" > "$1/PACKAGES"']
    command += [SUITE, str(target)]
    mirror = os.environ.get("DEBIAN_MIRROR")  # unset: mmdebstrap's default Debian mirror
    if mirror:
        command.append(mirror)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mmdebstrap could not get python{minor} from Debian {SUITE}:\n{done.stderr}")


def _relocate(prefix: Path, minor: str) -> None:
    """Make the tree run where it lies rather than at ``/``: see the module's docstring."""
    libraries = f"{prefix}/usr/lib/{MULTIARCH}:{prefix}/lib/{MULTIARCH}"
    loader = prefix / "usr" / "lib64" / "ld-linux-x86-64.so.2"
    interpreter = _interpreter(prefix, minor)
    patch = ["patchelf", "--set-interpreter", str(loader), "--force-rpath", "--set-rpath"]
    subprocess.run([*patch, libraries, str(interpreter)], check=True)
    wheels = f"{prefix}/usr/share/python-wheels/"
    found = (prefix / "usr" / "lib" / f"python{minor}").glob("_sysconfigdata_*.py")
    data = sorted({path.resolve() for path in found})  # one is a link to the other
    for path in data:
        text = path.read_text()
        relocated = text.replace(
            f"'WHEEL_PKG_DIR': '{DEBIAN_WHEELS}'", f"'WHEEL_PKG_DIR': {wheels!r}"
        )
        if relocated == text:
            sys.exit(f"{path} does not set WHEEL_PKG_DIR to {DEBIAN_WHEELS}: Debian changed it")
        path.write_text(relocated)
    if not data:
        sys.exit(f"no _sysconfigdata_*.py in {prefix}: Debian changed its layout")


def _probe(prefix: Path, minor: str) -> tuple[str | None, str]:
    """The version of the folder's interpreter if it imports ``PROBE``, else None; and its
    stderr."""
    interpreter = _interpreter(prefix, minor)
    probe = f"{PROBE}; print(platform.python_version())"
    try:
        done = subprocess.run([str(interpreter), "-c", probe], capture_output=True, text=True)
    except OSError as exc:
        return None, str(exc)
    if done.returncode != 0 or not done.stdout.startswith(f"{minor}."):
        return None, done.stderr
    return done.stdout.strip(), done.stderr


def _check_runs(prefix: Path, minor: str) -> str:
    """The installed version, after proving that what the tests need imports."""
    version, stderr = _probe(prefix, minor)
    if version is None:
        sys.exit(f"{_interpreter(prefix, minor)} does not run:\n{stderr}")
    return version


def _incomplete(found: dict[str, tuple[str, str]]) -> list[str]:
    """The versions found in ``.pythons/`` whose folder fails the probe: made before a package
    was added to ``DEBIAN_PACKAGES`` (``test.test_asyncio`` missing), or broken since."""
    incomplete = []
    for minor, (_, where) in found.items():
        if Path(where) == _interpreter(HOME / minor, minor):
            version, stderr = _probe(HOME / minor, minor)
            if version is None:
                last = (stderr.strip().splitlines() or ["?"])[-1]
                print(f"Python {minor} in .pythons/{minor} is incomplete ({last}): reinstalling")
                incomplete.append(minor)
    return incomplete


def install(minor: str) -> str:
    """Put sid's Python ``minor`` into ``.pythons/minor``; returns its version."""
    HOME.mkdir(exist_ok=True)
    target = HOME / minor
    # Build beside the target and rename at the end, so that an interrupted run leaves no tree
    # that looks installed.
    with tempfile.TemporaryDirectory(dir=HOME, prefix=f"{minor}.") as scratch:
        staging = Path(scratch) / minor
        _extract(minor, staging)
        # patchelf writes absolute paths: relocate for the final place, then move there.
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        try:
            _relocate(target, minor)
            version = _check_runs(target, minor)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    packages = [name for name in (target / "PACKAGES").read_text().split() if name.endswith(".deb")]
    print(f"Python {version} in {target.relative_to(ROOT)}, from Debian {SUITE}:")
    for package in packages:
        print(f"  {package}")
    return version


def _report(found: dict[str, tuple[str, str]]) -> list[str]:
    for minor in SUPPORTED:
        if minor in found:
            version, where = found[minor]
            print(f"Python {version}: {where}")
    return [minor for minor in SUPPORTED if minor not in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pythons", description=__doc__)
    parser.add_argument("action", choices=["install", "check"], nargs="?", default="check")
    options = parser.parse_args(argv)
    found = find()
    missing = _report(found)
    if options.action == "install":
        redo = sorted(missing + _incomplete(found))
        if redo:
            _ensure_tools()
        for minor in redo:
            install(minor)
        return 0
    if not missing:
        return 0
    names = ", ".join(missing)
    if os.environ.get("CI") == "true":
        print(f"error: Python {names} not found; CI tests every supported version (make pythons)")
        return 1
    print(f"note: Python {names} not found, so not tested; `make pythons` installs them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
