"""Instruments: objects that observe what the loop does, for tracing and pictures.

No CPython counterpart: the idea is trio's (``trio.abc.Instrument``, ``_core/_instrumentation.py``).
The loop, its tasks and its timers call the instruments' methods at the events listed in
``INSTRUMENT_EVENTS``; ``python -m tinyloop --trace`` (``tracing.py``) and the site's pictures
are built on them.
"""

from __future__ import annotations

from collections.abc import Callable

__all__: list[str] = []

INSTRUMENT_EVENTS = (
    "task_spawned",
    "before_task_step",
    "after_task_step",
    "task_exited",
    "timer_scheduled",
    "timer_due",
    "before_io_wait",
    "after_io_wait",
)


class Instruments:
    """The loop's half: which methods to call at each event. The loop creates the two
    attributes: ``_instruments``, in the order added, and ``_observers``, which maps each event
    to the methods that observe it, so that an event nobody observes costs one dict lookup."""

    _instruments: list[object]
    _observers: dict[str, list[Callable[..., object]]]

    def add_instrument(self, instrument: object) -> None:
        """Observe the loop: for each event of ``INSTRUMENT_EVENTS`` that ``instrument`` has a
        method for, the loop calls it. ``task_spawned(task)``, ``before_task_step(task)``,
        ``after_task_step(task)``, ``task_exited(task)``, ``timer_scheduled(timer)``,
        ``timer_due(timer)``, ``before_io_wait(timeout)``, ``after_io_wait(events)``."""
        self._instruments.append(instrument)
        self._update_observers()

    def remove_instrument(self, instrument: object) -> None:
        self._instruments.remove(instrument)
        self._update_observers()

    def _update_observers(self) -> None:
        # In place: each task of the loop holds this very dict (``Task._observers``).
        self._observers.clear()
        for event in INSTRUMENT_EVENTS:
            methods = [getattr(i, event) for i in self._instruments if hasattr(i, event)]
            if methods:
                self._observers[event] = methods
