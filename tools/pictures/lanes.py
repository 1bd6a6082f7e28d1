"""Stacking labels and bars that would overlap: each goes into the first free lane."""

from __future__ import annotations


class Lanes:
    """Lanes of horizontal intervals; ``place`` finds the first lanes where one fits."""

    def __init__(self, gap: float = 6.0) -> None:
        self._gap = gap
        self._lanes: list[list[tuple[float, float]]] = []

    def _free(self, lane: int, start: float, end: float) -> bool:
        if lane >= len(self._lanes):
            return True
        return all(end + self._gap <= a or start >= b + self._gap for a, b in self._lanes[lane])

    def place(self, start: float, end: float, height: int = 1) -> int:
        """Put ``[start, end]`` into ``height`` adjacent lanes; return the first one's index."""
        lane = 0
        while not all(self._free(lane + k, start, end) for k in range(height)):
            lane += 1
        while len(self._lanes) < lane + height:
            self._lanes.append([])
        for k in range(height):
            self._lanes[lane + k].append((start, end))
        return lane

    def __len__(self) -> int:
        return len(self._lanes)
