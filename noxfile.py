"""``make test-all``: the whole test suite on every Python from 3.10 on that this machine has.

Each interpreter gets a virtual environment of its own under ``.nox/``, with the packages of
``requirements.lock`` (the lock holds the right versions for each Python) and tinyloop.
Interpreters are looked for on PATH (``python3.10`` …) and under pyenv's ``~/.pyenv/versions``;
one that is found but does not run (a pyenv shim for a version not selected) is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

MINORS = range(10, 16)  # Python 3.10 to 3.15
nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"


def _version(executable: str) -> str | None:
    """``3.12.1`` if ``executable`` runs, else None."""
    try:
        done = subprocess.run(
            [executable, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _interpreters() -> dict[str, str]:
    """One working interpreter per minor version found: ``{"3.12.1": "/path/python3.12"}``."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found: dict[str, str] = {}
    for minor in MINORS:
        name = f"python3.{minor}"
        candidates = [shutil.which(name), *sorted(map(str, pyenv.glob(f"3.{minor}.*/bin/{name}")))]
        for candidate in filter(None, candidates):
            version = _version(candidate)
            if version and version.startswith(f"3.{minor}."):
                found[version] = candidate
                break
    return found


INTERPRETERS = _interpreters()


@nox.session
@nox.parametrize("python", list(INTERPRETERS.values()), ids=list(INTERPRETERS))
def tests(session: nox.Session) -> None:
    """Every test, the site's blocks under both loops included, on one interpreter."""
    session.install("-r", "requirements.lock")
    session.install("--no-deps", "-e", ".")
    session.run("python", "-m", "pytest", *session.posargs)
