"""``tools/pythons.py``: how ``make test-all`` finds the supported Pythons, and ``make pythons``."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from tools import pythons


def fake_python(folder: Path, name: str, version: str) -> Path:
    """An executable ``name`` in ``folder`` that reports ``version`` as platform.python_version."""
    path = folder / name
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def only_399(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Support one made-up version, 3.99, with an empty PATH, pyenv and .pythons/."""
    monkeypatch.setattr(pythons, "SUPPORTED", ("3.99",))
    monkeypatch.setattr(pythons, "HOME", tmp_path / ".pythons")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    (tmp_path / "bin").mkdir()
    return tmp_path / "bin"


def test_an_interpreter_on_path_is_found_with_its_version(only_399: Path) -> None:
    path = fake_python(only_399, "python3.99", "3.99.4")
    assert pythons.find() == {"3.99": ("3.99.4", str(path))}


def test_an_interpreter_that_reports_another_version_is_not_taken(only_399: Path) -> None:
    fake_python(only_399, "python3.99", "3.98.0")  # e.g. a pyenv shim pointing elsewhere
    assert pythons.find() == {}


def test_an_interpreter_in_the_project_folder_is_found(only_399: Path) -> None:
    folder = pythons.HOME / "3.99" / "usr" / "bin"
    folder.mkdir(parents=True)
    path = fake_python(folder, "python3.99", "3.99.0")
    assert pythons.find() == {"3.99": ("3.99.0", str(path))}


def test_check_notes_a_missing_version_outside_ci(
    only_399: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert pythons.main(["check"]) == 0
    assert "note: Python 3.99 not found" in capsys.readouterr().out


def test_check_fails_on_a_missing_version_under_ci(
    only_399: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    assert pythons.main(["check"]) == 1
    assert "error: Python 3.99 not found" in capsys.readouterr().out


def test_install_does_nothing_when_every_version_is_present(
    only_399: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_python(only_399, "python3.99", "3.99.4")

    def refuse(*args: object) -> None:
        raise AssertionError("nothing is missing, so nothing may be installed")

    monkeypatch.setattr(pythons, "install", refuse)
    monkeypatch.setattr(pythons, "_ensure_tools", refuse)
    assert pythons.main(["install"]) == 0


@pytest.mark.skipif(not (pythons.HOME / "3.14").is_dir(), reason="make pythons has not run here")
def test_an_installed_tree_runs_where_it_lies_and_makes_venvs_with_its_own_pip(
    tmp_path: Path,
) -> None:
    """The relocation of ``make pythons``: sid's loader and libraries, and sid's pip wheel."""
    interpreter = pythons.HOME / "3.14" / "usr" / "bin" / "python3.14"
    venv = tmp_path / "venv"
    subprocess.run([interpreter, "-m", "venv", venv], check=True)
    wheels = (pythons.HOME / "3.14" / "usr" / "share" / "python-wheels").glob("pip-*.whl")
    sid_pip = next(wheels).name.split("-")[1]
    pip = subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True)
    assert pip.stdout.decode().startswith(f"pip {sid_pip} "), pip.stdout
