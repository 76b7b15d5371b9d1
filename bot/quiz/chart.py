"""A bar chart of units' rates against a target, as PNG bytes (matplotlib, no display needed)."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # must precede pyplot: no display on servers

from matplotlib.figure import Figure  # noqa: E402

from bot.quiz.views import RankedUnit  # noqa: E402

MAX_BARS = 30


def rate_chart(rows: list[RankedUnit], *, required_rate: float, axis_label: str) -> bytes:
    """Horizontal bars (best at the top) with a red line at the required rate."""
    shown = rows[:MAX_BARS]
    labels = [textwrap.shorten(row.name, width=42, placeholder="…") for row in shown]
    values = [row.rate * 100 for row in shown]
    figure = Figure(figsize=(8, 1.2 + 0.38 * max(len(shown), 1)), dpi=100)
    axes = figure.add_subplot()
    colors = ["#2e7d32" if row.rate >= required_rate else "#f9a825" for row in shown]
    positions = list(range(len(shown)))[::-1]
    axes.barh(positions, values, color=colors)
    axes.set_yticks(positions, labels, fontsize=9)
    axes.set_xlim(0, 100)
    axes.axvline(required_rate * 100, color="#c62828", linewidth=1.5)
    axes.set_xlabel(axis_label)
    for position, value in zip(positions, values, strict=True):
        axes.text(min(value + 1, 92), position, f"{value:.0f}%", va="center", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
