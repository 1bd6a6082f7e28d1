"""``make test-all``: the whole test suite on each supported Python (3.11 to 3.15) the machine has.

Each interpreter gets a virtual environment of its own under ``.nox/``, with the packages of
``requirements.lock`` (the lock holds the right versions for each Python) and tinyloop.
``tools/pythons.py`` finds the interpreters: on PATH, under pyenv, or in ``.pythons/``, where
``make pythons`` puts the ones the machine lacks. ``make test-all`` checks first that all five are
here (a failure under ``CI=true``, a note otherwise).

``make test-cpython`` runs the other session, ``cpython_suite``: CPython's own ``test_asyncio`` on
tinyloop (``tools/cpython_suite.py``), on each of those interpreters, failing the ones whose total
pass % is below ``CPYTHON_SUITE_MIN_PASS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tools.pythons import find

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"
INTERPRETERS = dict(find().values())  # {"3.12.1": "/path/to/python3.12"}
# The least total pass % of tools/cpython_suite.py's table that cpython_suite accepts on each
# version: issue 15 asks for 98. The environment variable overrides it (`make test-cpython
# MIN_PASS=95`). On 2026-12-04 the five versions passed 98.3 to 98.5.
CPYTHON_SUITE_MIN_PASS = os.environ.get("CPYTHON_SUITE_MIN_PASS", "98")


@nox.session
@nox.parametrize("python", list(INTERPRETERS.values()), ids=list(INTERPRETERS))
def tests(session: nox.Session) -> None:
    """Every test, the site's blocks under both loops included, on one interpreter."""
    session.install("-r", "requirements.lock")
    session.install("--no-deps", "-e", ".")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
@nox.parametrize("python", list(INTERPRETERS.values()), ids=list(INTERPRETERS))
def cpython_suite(session: nox.Session) -> None:
    """CPython's test_asyncio on tinyloop, on one interpreter: fails below the threshold.

    The suite needs the interpreter's ``test`` package and nothing from PyPI. Every test's outcome
    goes to ``build/cpython_suite/VERSION.json``; arguments after ``--`` go to the suite (module
    names, ``--causes N``).
    """
    session.install("--no-deps", "-e", ".")
    version = {path: version for version, path in INTERPRETERS.items()}[str(session.python)]
    out = Path("build", "cpython_suite")
    out.mkdir(parents=True, exist_ok=True)
    suite = ["python", "-m", "tools.cpython_suite", "--min-pass", CPYTHON_SUITE_MIN_PASS]
    session.run(*suite, "--json", str(out / f"{version}.json"), *session.posargs)
