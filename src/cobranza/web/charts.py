"""Inline SVG charts rendered on the server: bars and a funnel.

The markup is built with Markup.format, which escapes every label, so a
chart can carry text from the database safely.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup

from cobranza.wording import percent_label

WIDTH = 360
ROW_HEIGHT = 28
LABEL_WIDTH = 95
VALUE_WIDTH = 115


def bar_chart(rows: list[tuple[str, Decimal | int, str]], title: str) -> Markup:
    """Render horizontal bars: one (label, value, shown value) per row.

    A negative value gets no bar, only its shown value.
    """
    height = ROW_HEIGHT * max(1, len(rows)) + 4
    largest = max((Decimal(value) for _, value, _ in rows), default=Decimal(0))
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        Markup(
            '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
            'aria-label="{t}" preserveAspectRatio="xMinYMin meet">'
            "<title>{t}</title>"
        ).format(w=WIDTH, h=height, t=title)
    ]
    for index, (label, value, shown) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        width = 0 if largest <= 0 else int(Decimal(value) / largest * bar_space)
        width = max(width, 0)
        parts.append(
            Markup(
                '<text x="0" y="{ty}" class="chart-label">{label}</text>'
                '<rect x="{x}" y="{y}" width="{bw}" height="18" rx="3" '
                'class="chart-bar"></rect>'
                '<text x="{vx}" y="{ty}" class="chart-value">{shown}</text>'
            ).format(
                ty=y + 14,
                label=label,
                x=LABEL_WIDTH,
                y=y,
                bw=max(width, 1 if value > 0 else 0),
                vx=LABEL_WIDTH + width + 6,
                shown=shown,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def funnel_chart(
    stages: list[tuple[str, int]], title: str, locale: str = "es_AR"
) -> Markup:
    """Render the funnel as bars, each showing its share of the first stage.

    Shares are formatted in `locale`, like the percentages of the summary.
    """
    first = stages[0][1] if stages else 0
    rows: list[tuple[str, Decimal | int, str]] = []
    for label, count in stages:
        # Worded like the summary's cards, so 9 of 17 reads "52,9 %" in both.
        share = (
            "" if first == 0 else f" ({percent_label(Decimal(count) / first, locale)})"
        )
        rows.append((label, count, f"{count}{share}"))
    return bar_chart(rows, title)
