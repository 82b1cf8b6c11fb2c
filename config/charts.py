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

from django.utils.html import format_html, format_html_join
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
    """A figure: the SVG chart (titled, one bar per row) and its numbers as a table."""
    height = max(1, len(bars)) * ROW_HEIGHT + 4
    rows = []
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT + 2
        total = sum(bar.values)
        rows.append(
            format_html(
                '<text class="label" x="0" y="{}">{}</text>',
                y + BAR_HEIGHT - 3,
                bar.label[:28],
            )
        )
        x = BAR_LEFT
        for part, value in zip(parts, bar.values, strict=True):
            width = round(BAR_WIDTH * value / total, 1) if total else 0
            if width:
                rows.append(
                    format_html(
                        '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                        "<title>{}: {} {}</title></rect>",
                        part.css,
                        round(x, 1),
                        y,
                        width,
                        BAR_HEIGHT,
                        bar.label,
                        value,
                        part.name,
                    )
                )
            x += width
        rows.append(
            format_html(
                '<text class="total" x="{}" y="{}">{}</text>',
                BAR_LEFT + BAR_WIDTH + 6,
                y + BAR_HEIGHT - 3,
                total,
            )
        )
    legend = format_html_join(
        " ", '<span class="key {}">{}</span>', ((part.css, part.name) for part in parts)
    )
    head = format_html_join("", '<th scope="col">{}</th>', ((part.name,) for part in parts))
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}<td>{}</td></tr>',
        (
            (
                bar.label,
                format_html_join("", "<td>{}</td>", ((value,) for value in bar.values)),
                sum(bar.values),
            )
            for bar in bars
        ),
    )
    return format_html(
        '<figure class="chart" id="{id}"><figcaption>{title} <span class="legend">{legend}</span>'
        "</figcaption>"
        '<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title" '
        'focusable="false"><title id="{id}-title">{title}</title>{rows}</svg>'
        '<details><summary>The numbers</summary><table class="compact" id="{id}-table">'
        '<thead><tr><th scope="col">{title}</th>{head}<th scope="col">Total</th></tr></thead>'
        "<tbody>{body}</tbody></table></details></figure>",
        id=chart_id,
        title=title,
        legend=legend,
        width=WIDTH,
        height=height,
        rows=mark_safe("".join(rows)),  # noqa: S308 - each piece built by format_html above
        head=head,
        body=body,
    )
