"""A small line chart drawn on the server as SVG elements (no script, no inline style: the
template gives them classes that admin.css colours), for the weekly trend of a target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.clock import fmt_date
from bot.messages.numbers import percent
from bot.quiz.views import WeekPoint

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
MAX_LABELS = 8


@dataclass(frozen=True, slots=True)
class Tick:
    """A label on an axis and where it goes."""

    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class LineChart:
    """Everything the template draws: the plot box, the line, its dots, the goal line, ticks."""

    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: str  # "x,y x,y …" for <polyline>
    dots: list[tuple[float, float, WeekPoint]]  # x, y and the week (its tooltip)
    goal_y: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def trend_chart(weeks: Sequence[WeekPoint], goal: float) -> LineChart | None:
    """The share of the headcount that met the target at the end of each week, with the
    required share as a dashed line; None without weeks."""
    if not weeks:
        return None
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span_x, span_y = right - LEFT, bottom - TOP

    def x_of(index: int) -> float:
        return round(
            LEFT + (span_x * index / (len(weeks) - 1) if len(weeks) > 1 else span_x / 2), 1
        )

    def y_of(rate: float) -> float:
        return round(bottom - span_y * min(max(rate, 0.0), 1.0), 1)

    coords = [(x_of(i), y_of(w.rate)) for i, w in enumerate(weeks)]
    step = max(1, -(-len(weeks) // MAX_LABELS))
    return LineChart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        " ".join(f"{x},{y}" for x, y in coords),
        [(x, y, w) for (x, y), w in zip(coords, weeks, strict=True)],
        y_of(goal),
        [Tick(LEFT - 6, y_of(v / 4) + 4, percent(v / 4, 0)) for v in range(5)],
        [
            Tick(coords[i][0], bottom + 20, fmt_date(weeks[i].week_start)[:5])
            for i in range(0, len(weeks), step)
        ],
    )
