"""Charts drawn on the server as SVG, for pages people would rather look at than read.

Stacked horizontal bars, one per row (a domain, a questionnaire, a framework), each bar split
into its parts in proportion (Yes / No / NA / unanswered; covered / uncovered). Accessible: the
SVG has a title and is marked as an image, and the same numbers follow in a table that screen
readers read and anyone can open. No script and no inline style (the Content-Security-Policy
allows neither): positions and widths are SVG attributes, colours are CSS classes
(``.chart .<class>`` in static/css/app.css). Tests check the numbers, not the pixels.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
LABEL_WIDTH = 170
BAR_LEFT = LABEL_WIDTH + 10
BAR_WIDTH = WIDTH - BAR_LEFT - 60  # room on the right for the row's total
ROW_HEIGHT = 22
BAR_HEIGHT = 14


@dataclass(frozen=True)
class Part:
    """One kind of value in every bar: its name (legend and table header) and CSS class."""

    name: str
    css: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per Part, in the parts' order


def stacked_bars(
    title: str, parts: Sequence[Part], bars: Sequence[Bar], *, chart_id: str
) -> SafeString:
    """A figure: the SVG chart (titled, one bar per row) and its numbers as a table.

    Built with f-strings, every text escaped once: the fill page draws one on each view, and
    format_html per element cost as much as the page's 30 answer cards (bench/fill_page.py).
    The numbers are ints and rounded floats, which need no escaping."""
    height = max(1, len(bars)) * ROW_HEIGHT + 4
    names = [(escape(part.css), escape(part.name)) for part in parts]
    svg, table = [], []
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT + 2
        total = sum(bar.values)
        label = escape(bar.label)
        svg.append(
            f'<text class="label" x="0" y="{y + BAR_HEIGHT - 3}">{escape(bar.label[:28])}</text>'
        )
        x = BAR_LEFT
        for (css, name), value in zip(names, bar.values, strict=True):
            width = round(BAR_WIDTH * value / total, 1) if total else 0
            if width:
                svg.append(
                    f'<rect class="{css}" x="{round(x, 1)}" y="{y}" width="{width}" '
                    f'height="{BAR_HEIGHT}"><title>{label}: {int(value)} {name}</title></rect>'
                )
            x += width
        svg.append(
            f'<text class="total" x="{BAR_LEFT + BAR_WIDTH + 6}" y="{y + BAR_HEIGHT - 3}">'
            f"{int(total)}</text>"
        )
        cells = "".join(f"<td>{int(value)}</td>" for value in bar.values)
        table.append(f'<tr><th scope="row">{label}</th>{cells}<td>{int(total)}</td></tr>')
    legend = " ".join(f'<span class="key {css}">{name}</span>' for css, name in names)
    head = "".join(f'<th scope="col">{name}</th>' for _css, name in names)
    id_, title = escape(chart_id), escape(title)
    return mark_safe(  # noqa: S308 - every text above is escaped, the rest are numbers
        f'<figure class="chart" id="{id_}"><figcaption>{title} <span class="legend">{legend}'
        "</span></figcaption>"
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{id_}-title" focusable="false"><title id="{id_}-title">{title}</title>'
        f"{''.join(svg)}</svg>"
        f'<details><summary>The numbers</summary><table class="compact" id="{id_}-table">'
        f'<thead><tr><th scope="col">{title}</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(table)}</tbody></table></details></figure>"
    )
