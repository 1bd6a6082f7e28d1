"""``make test-all``: the whole test suite on each supported Python (3.11 to 3.15) the machine has.

Each interpreter gets a virtual environment of its own under ``.nox/``, with the packages of
``requirements.lock`` (the lock holds the right versions for each Python) and tinyloop.
``tools/pythons.py`` finds the interpreters: on PATH, under pyenv, or in ``.pythons/``, where
``make pythons`` puts the ones the machine lacks. ``make test-all`` checks first that all five are
here (a failure under ``CI=true``, a note otherwise).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tools.pythons import find

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"
INTERPRETERS = dict(find().values())  # {"3.12.1": "/path/to/python3.12"}


@nox.session
@nox.parametrize("python", list(INTERPRETERS.values()), ids=list(INTERPRETERS))
def tests(session: nox.Session) -> None:
    """Every test, the site's blocks under both loops included, on one interpreter."""
    session.install("-r", "requirements.lock")
    session.install("--no-deps", "-e", ".")
    session.run("python", "-m", "pytest", *session.posargs)
