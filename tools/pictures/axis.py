"""Where a trace event goes from left to right: event order, stretched by time.

On the virtual clock a step takes no time, and a turn of the loop often runs several; a plain
time axis would stack them all on one vertical line. Here every event gets a little room of its
own, in the order it happened, and wherever time passes (a wait in the selector, a blocking
call) the axis adds room in proportion to it. So the axis is in seconds where time passes, and
stands still (a dotted stretch) where the loop runs callbacks in no time at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.pictures.timeline import Timeline

# Room (in picture units) an event of each kind takes before it, when nothing must be squeezed.
ROOM = {"spawn": 3.0, "step": 6.0, "timer": 3.0, "suspend": 12.0, "exit": 12.0, "due": 3.0}
ROOM_WAIT = 1.0
ROOM_POLL_END = 1.0  # the end of a poll (timeout 0) that found nothing
ROOM_WAIT_END = 10.0  # the end of a real wait: a bar must stay visible even if it took no time
TICK_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
EPSILON = 1e-6


@dataclass(frozen=True)
class Tick:
    time: float
    x: float
    event: bool  # something happened at this time (else: a round time in between)


@dataclass(frozen=True)
class Axis:
    times: list[float]
    xs: list[float]  # where each event is
    starts: list[float]  # where the time-proportional part of the stretch before it begins
    scale: float  # picture units per second
    left: float
    right: float

    def x(self, index: int) -> float:
        return self.xs[index]

    def x_at(self, time: float) -> float:
        """Where the clock read ``time``: the first event at that time, or between two."""
        for index, when in enumerate(self.times):
            if abs(when - time) < EPSILON:
                return self.xs[index]
            if when > time:
                return self.starts[index] + self.scale * (time - self.times[index - 1])
        return self.xs[-1]

    def moving(self) -> list[tuple[float, float]]:
        """The stretches where time passes, as (from x, to x)."""
        return [
            (self.starts[i], self.xs[i])
            for i in range(1, len(self.times))
            if self.times[i] - self.times[i - 1] > EPSILON
        ]

    def ticks(self) -> list[Tick]:
        """A tick at each moment something happened, and at round times in between."""
        total = self.times[-1]
        step = next((s for s in TICK_STEPS if total / s <= 5), TICK_STEPS[-1])
        ticks = {round(t, 6): Tick(round(t, 6), self.x_at(t), True) for t in self.times}
        for n in range(1, math.floor(total / step + EPSILON) + 1):
            time = round(n * step, 6)
            ticks.setdefault(time, Tick(time, self.x_at(time), False))
        return [ticks[time] for time in sorted(ticks)]


def lay_out(timeline: Timeline, left: float, right: float, time_share: float) -> Axis:
    """Place every event between ``left`` and ``right``; if not everything fits, at least
    ``time_share`` of the width shows time passing."""
    times = timeline.times
    rooms = _rooms(timeline)
    fixed, total = sum(rooms), times[-1] - times[0]
    width = right - left
    squeeze, scale = 1.0, 0.0
    if total <= EPSILON:
        squeeze = min(1.0, width / fixed) if fixed else 1.0
    elif fixed <= (1 - time_share) * width:
        scale = (width - fixed) / total
    else:
        squeeze = (1 - time_share) * width / fixed
        scale = time_share * width / total
    xs, starts = [left], [left]
    for i in range(1, len(times)):
        starts.append(xs[-1] + rooms[i] * squeeze)
        xs.append(starts[-1] + scale * (times[i] - times[i - 1]))
    return Axis(times, xs, starts, scale, left, right)


def _rooms(timeline: Timeline) -> list[float]:
    events = timeline.recording.events
    polls = {w.end for w in timeline.waits if w.timeout == 0 and not w.ready}
    rooms = []
    for index, event in enumerate(events):
        if event.kind == "wait":
            rooms.append(ROOM_WAIT)
        elif event.kind == "woke":
            rooms.append(ROOM_POLL_END if index in polls else ROOM_WAIT_END)
        else:
            rooms.append(ROOM.get(event.kind, 3.0))
    rooms[0] = 0.0
    return rooms
