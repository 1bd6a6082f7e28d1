"""The description of the machine the results were measured on, recorded in the JSON.

CPU model (``/proc/cpuinfo``), cores, memory, the operating system, the Python interpreter,
the versions of tinyloop and uvloop, the file-descriptor limit and the load average (a busy
machine shows it here).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from pathlib import Path
from typing import Any

from bench import contenders


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip('"')
    except OSError:
        pass
    return platform.system()


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the OS has none."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def describe() -> dict[str, Any]:
    """Everything about this machine and interpreter that a reader needs to weigh the numbers."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "memory_bytes": _memory_bytes(),
        "os": _os_name(),
        "platform": platform.platform(),
        "kernel": platform.release(),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "python_build": " ".join(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "python_executable": sys.executable,
        "versions": {
            name: contenders.version(name) for name in (contenders.TINYLOOP, contenders.UVLOOP)
        },
        "fd_limit": {"soft": soft, "hard": hard},
        "load_average_at_start": load_average(),
    }
