"""A recording, read as a timeline: what each task did, the timers' lives, the selector's waits.

Pure data, no drawing (that is ``timeline_draw``). Every mark refers to trace events by their
index, so the layout can place it. Tasks are numbered ``Task-1``, ``Task-2``… in the order they
were created, as in a fresh process: tinyloop's own numbers run on across the loops of one
process.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from tools.pictures.recording import Recording


@dataclass
class Step:
    start: int  # the trace event "step"
    end: int  # the "suspend" or "exit" that closed it
    thrown: str  # the exception thrown in at the await, or ""
    printed: list[str]


@dataclass
class Suspension:
    start: int  # the "suspend" event
    end: int | None  # the next "step", None if the recording ends first
    chain: list[str]  # the awaits it sits in, outermost first, without line numbers


@dataclass
class TaskRow:
    name: str  # Task-1, Task-2… in order of creation
    label: str  # its coroutine as a call: worker(0.3)
    spawn: int
    steps: list[Step] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    outcome: str = ""  # "returned None", "cancelled", "raised …"; "" while it runs


@dataclass
class TimerLife:
    number: int
    scheduled: int  # the "timer" event
    delay: float
    deadline: float
    end: int | None = None  # the "due" event, or the event on which it was found cancelled
    cancelled: bool = False


@dataclass
class Wait:
    start: int  # the "wait" event
    end: int  # the "woke" event
    timeout: float  # math.inf: no timer, wait for I/O only
    ready: list[str]


@dataclass
class Timeline:
    recording: Recording
    rows: list[TaskRow]
    timers: list[TimerLife]
    waits: list[Wait]

    @property
    def times(self) -> list[float]:
        return [event.time for event in self.recording.events]


def read(recording: Recording) -> Timeline:
    timeline = Timeline(recording, [], [], [])
    rows: dict[str, TaskRow] = {}
    timers: dict[int, TimerLife] = {}
    open_waits: list[int] = []
    for index, event in enumerate(recording.events):
        extra = recording.extra(index)
        row = rows.get(event.subject)
        if event.kind == "spawn":
            row = rows[event.subject] = TaskRow(f"Task-{len(rows) + 1}", extra.label, index)
            timeline.rows.append(row)
        elif event.kind == "step" and row is not None:
            if row.suspensions and row.suspensions[-1].end is None:
                row.suspensions[-1].end = index
            row.steps.append(Step(index, -1, extra.thrown, []))
        elif event.kind in ("suspend", "exit") and row is not None:
            row.steps[-1].end = index
            row.steps[-1].printed = extra.printed
            if event.kind == "suspend":
                row.suspensions.append(Suspension(index, None, await_chain(event.detail)))
            else:
                row.outcome = event.detail.removeprefix("finished: ")
        elif event.kind == "timer" and extra.timer is not None and extra.deadline is not None:
            delay = extra.deadline - event.time
            life = TimerLife(extra.timer, index, round(delay, 9), round(extra.deadline, 9))
            timers[extra.timer] = life
            timeline.timers.append(life)
        elif event.kind == "due" and extra.timer in timers:
            timers[extra.timer].end = index
        elif event.kind == "wait":
            open_waits.append(index)
        elif event.kind == "woke" and open_waits:
            start = open_waits.pop()
            timeout = recording.extra(start).timeout
            timeline.waits.append(Wait(start, index, timeout, extra.ready))
        for number in extra.cancelled_timers:
            if number in timers:
                timers[number].end, timers[number].cancelled = index, True
    return timeline


def await_chain(detail: str) -> list[str]:
    """``suspended at main():10 → sleep():258 → Future.__await__`` → its links, unnumbered."""
    chain = detail.removeprefix("suspended at ")
    links = [re.sub(r"\(\):\d+$", "()", link) for link in chain.split(" → ")]
    return ["bare yield" if link == "generator" else link for link in links]


def chain_forms(chain: list[str]) -> list[str]:
    """Ways to show a chain of awaits, longest first: all of it; without the task's own
    coroutine (its row names that); the first await below it, an ellipsis and the innermost;
    the first alone, which is what the program's own code awaited."""
    below = chain[1:] if len(chain) > 1 else chain
    forms = [" → ".join(chain), " → ".join(below)]
    first = below[0]
    if first.endswith(")") and ".__" not in first:
        first = first.rsplit(".", 1)[-1]  # readline(), not StreamReader.readline()
    if len(below) > 2:
        forms.append(f"{first} → … → {below[-1]}")
    forms.append(first)
    return list(dict.fromkeys(forms))  # without repeats, in order


def describe(timeline: Timeline) -> str:
    """The picture in words, for its ``<desc>``: every row, timer and wait, with its times."""
    times = timeline.times
    parts = [_describe_row(row, times) for row in timeline.rows]
    for life in timeline.timers:
        parts.append(f"Timer call_later({life.delay:g}) scheduled at {_s(times[life.scheduled])}")
        if life.end is None:
            parts[-1] += ", still pending."
        elif life.cancelled:
            parts[-1] += f", cancelled at {_s(times[life.end])}."
        else:
            late = times[life.end] - life.deadline
            parts[-1] += f", due at {_s(times[life.end])}"
            parts[-1] += f", {_s(late)} after its deadline." if late > 1e-6 else "."
    for wait in timeline.waits:
        if wait.timeout > 0 or wait.ready:
            timeout = "None" if math.isinf(wait.timeout) else _s(wait.timeout)
            ended = "with " + " + ".join(wait.ready) if wait.ready else "at its timeout"
            span = f"{_s(times[wait.start])} to {_s(times[wait.end])}"
            parts.append(
                f"The loop waits in select(timeout={timeout}) from {span}, ending {ended}."
            )
    return " ".join(parts)


def _describe_row(row: TaskRow, times: list[float]) -> str:
    moments: dict[float, int] = {}
    for step in row.steps:
        moment = round(times[step.start], 6)
        moments[moment] = moments.get(moment, 0) + 1
    steps = ", ".join(
        _s(moment) + (f" ({count} steps)" if count > 1 else "") for moment, count in moments.items()
    )
    waits = "; ".join(" → ".join(s.chain) for s in row.suspensions)
    text = f"{row.name} {row.label}: steps at {steps}"
    text += f"; suspended at {waits}" if waits else ""
    thrown = [step.thrown for step in row.steps if step.thrown]
    text += f"; {', '.join(thrown)} thrown in" if thrown else ""
    return text + f"; {row.outcome or 'still running'}."


def _s(seconds: float) -> str:
    return f"{round(seconds, 3):g} s"
