"""Units' rates against a target as bar charts (PNG, matplotlib without a display), sized for
reading in a chat on a phone.

The ranking is cut into pages of `PER_PAGE` units, one image each, so that every unit is drawn —
the lowest included — with its full name, its rank and its rate written as the chat writes it
("69,9%", rounded down so that a unit below the target never shows the target's figure). Each
image has a legend saying what the colours mean and where the red line is. Text is
`TEXT_PX` pixels tall on an image `WIDTH_PX` wide: about 10 CSS pixels when a phone's chat shows
the photo `PHONE_CSS_PX` wide. A ranking longer than `MAX_PAGES` pages keeps its first and its
last pages (the lowest units) and says which ranks are left out.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.messages import Catalog
from bot.messages.numbers import percent
from bot.quiz.views import RankedUnit

if TYPE_CHECKING:
    from matplotlib.text import Text

# matplotlib is imported by the first chart, not with the module: it costs about a second and
# 30 MB at start-up, and most processes (a webhook server at launch) draw no chart for a while.

WIDTH_PX = 800
DPI = 100
TEXT_PX = 28  # names, rates, legend and axis
TITLE_PX = 32
ROW_PX = 80  # one unit: its name, then its bar
PAD_PX = 24
PER_PAGE = 15
MAX_PAGES = 8
PHONE_CSS_PX = 300  # how wide a chat app shows a photo on a phone
MET, BELOW, TARGET_LINE, TRACK = "#2e7d32", "#e65100", "#c62828", "#e8e8e8"
LINE = 1.35  # line height, in text sizes


@dataclass(frozen=True, slots=True)
class ChartPage:
    """One image of a ranking and what it shows (for captions and tests)."""

    png: bytes
    number: int
    pages: int
    codes: tuple[str, ...]
    first_rank: int
    last_rank: int
    width_px: int
    height_px: int
    smallest_text_px: float  # the shortest text drawn, measured on the image
    texts: tuple[str, ...]


def required_text(rate: float) -> str:
    """A target rate as the legend writes it: "70%" or "72,5%"."""
    return percent(rate, 0 if round(rate * 1000) % 10 == 0 else 1)


def split_pages(
    rows: Sequence[RankedUnit], per_page: int = PER_PAGE, max_pages: int = MAX_PAGES
) -> tuple[list[list[RankedUnit]], tuple[int, int] | None]:
    """The pages to draw and the ranks left out between them (None when every unit fits)."""
    pages = [list(rows[i : i + per_page]) for i in range(0, len(rows), per_page)]
    if len(pages) <= max_pages:
        return pages, None
    head = max_pages // 2
    tail = max_pages - head
    omitted = (pages[head][0].rank, pages[-tail - 1][-1].rank)
    return pages[:head] + pages[-tail:], omitted


def rate_chart_pages(
    rows: Sequence[RankedUnit],
    *,
    required_rate: float,
    title: str,
    scope: str,
    t: Catalog,
    per_page: int = PER_PAGE,
    max_pages: int = MAX_PAGES,
) -> list[ChartPage]:
    """Every page of the ranking of `rows` (best first) against `required_rate`."""
    pages, omitted = split_pages(rows, per_page, max_pages)
    gap_after = max_pages // 2 if omitted else None
    return [
        _page(
            page,
            number,
            len(pages),
            len(rows),
            required_rate=required_rate,
            title=title,
            scope=scope,
            t=t,
            omitted=omitted if number == gap_after else None,
        )
        for number, page in enumerate(pages, 1)
    ]


def _fit(artist: Text, width_px: float, renderer: object) -> None:
    """Shorten a one-line text (ending it with "…") until it is no wider than `width_px`."""
    text = artist.get_text()
    if "\n" in text:
        return
    while artist.get_window_extent(renderer).width > width_px and len(text) > 1:
        text = text[:-1].rstrip()
        artist.set_text(text + "…")


def _pt(px: float) -> float:
    """A font size in points for a height in pixels at DPI."""
    return px * 72 / DPI


def _page(
    rows: list[RankedUnit],
    number: int,
    pages: int,
    count: int,
    *,
    required_rate: float,
    title: str,
    scope: str,
    t: Catalog,
    omitted: tuple[int, int] | None,
) -> ChartPage:
    required = required_text(required_rate)
    header_px = PAD_PX + LINE * TITLE_PX + 4 * LINE * TEXT_PX + PAD_PX
    footer_px = LINE * TEXT_PX + PAD_PX * 2 + (2 * LINE * TEXT_PX if omitted else 0)
    height = int(header_px + ROW_PX * len(rows) + footer_px)
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # the Agg canvas: no display
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)

    def write(x: float, y_px: float, text: str, size: float, **style: object) -> None:
        figure.text(x, 1 - y_px / height, text, fontsize=_pt(size), va="top", **style)  # type: ignore[arg-type]

    left = PAD_PX / WIDTH_PX
    write(left, PAD_PX, title, TITLE_PX, weight="bold")
    subtitle = t(
        "quiz.chart_page",
        scope=scope,
        page=number,
        pages=pages,
        first=rows[0].rank,
        last=rows[-1].rank,
        count=count,
    )
    write(left, PAD_PX + LINE * TITLE_PX, subtitle, TEXT_PX)
    legend = [
        (Patch(color=MET), t("quiz.chart_legend_met", required=required)),
        (Patch(color=BELOW), t("quiz.chart_legend_below", required=required)),
        (
            Line2D([], [], color=TARGET_LINE, lw=3, ls="--"),
            t("quiz.chart_legend_line", required=required),
        ),
    ]
    figure.legend(
        [handle for handle, _ in legend],
        [label for _, label in legend],
        loc="upper left",
        bbox_to_anchor=(left * 0.6, 1 - (PAD_PX + LINE * (TITLE_PX + TEXT_PX)) / height),
        frameon=False,
        fontsize=_pt(TEXT_PX),
        handlelength=1.4,
        labelspacing=0.25,
        borderaxespad=0,
    )

    axes = figure.add_axes(
        (
            left,
            footer_px / height,
            1 - 2 * left,
            ROW_PX * len(rows) / height,
        )
    )
    axes.set_xlim(0, 100)
    axes.set_ylim(len(rows), 0)
    axes.axis("off")
    for index, row in enumerate(rows):
        value = row.rate * 100
        shown = percent(row.rate, down=True)
        name = f"{row.rank}. {row.name}"
        axes.text(0, index + 0.27, name, fontsize=_pt(TEXT_PX), va="center", ha="left")
        middle = index + 0.72
        axes.barh(middle, 100, height=0.38, color=TRACK)
        colour = MET if row.rate >= required_rate else BELOW
        axes.barh(middle, value, height=0.38, color=colour)
        # The rate, after the bar or inside its end; its box hides the target mark behind it.
        outside = value < 80
        axes.text(
            value + 1.2 if outside else value - 1.2,
            middle,
            shown,
            fontsize=_pt(TEXT_PX),
            va="center",
            ha="left" if outside else "right",
            color="black" if outside else "white",
            weight="normal" if outside else "bold",
            zorder=4,
            bbox={"boxstyle": "square,pad=0.15", "fc": TRACK if outside else colour, "ec": "none"},
        )
        # The target's mark on each bar (a line down the whole chart would cross the names).
        axes.plot([required_rate * 100] * 2, [middle - 0.3, middle + 0.3], color=TARGET_LINE,
                  lw=3, ls="--")  # fmt: skip
    bottom = 1 - (height - footer_px + PAD_PX / 2) / height
    for tick in (0, 25, 50, 75, 100):
        label = percent(tick / 100, 0)
        align = "left" if tick == 0 else "right" if tick == 100 else "center"
        figure.text(left + (1 - 2 * left) * tick / 100, bottom, label, fontsize=_pt(TEXT_PX),
                    ha=align, va="top", color="#555555")  # fmt: skip
    if omitted:
        note = t("quiz.chart_omitted", first=omitted[0], last=omitted[1])
        note = textwrap.fill(note, int((WIDTH_PX - 2 * PAD_PX) / (0.56 * TEXT_PX)))
        write(left, height - PAD_PX - 2 * LINE * TEXT_PX, note, TEXT_PX, style="italic")
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for artist in [*figure.texts, *axes.texts]:
        _fit(artist, WIDTH_PX - 2 * PAD_PX, renderer)
    drawn = [*figure.texts, *axes.texts, *figure.legends[0].get_texts()]
    smallest = min(text.get_window_extent(renderer).height for text in drawn if text.get_text())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return ChartPage(
        buffer.getvalue(),
        number,
        pages,
        tuple(row.code for row in rows),
        rows[0].rank,
        rows[-1].rank,
        WIDTH_PX,
        height,
        smallest,
        tuple(text.get_text() for text in drawn),
    )
