"""Bar charts as inline SVG markup: drawn on the server, no script, fine under the CSP."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = 22
GAP = 6
LABEL = 110
WIDTH = 420


def bar_chart(*, title: str, bars: list[tuple[str, Decimal]], unit: str) -> SafeString:
    """Horizontal bars scaled to the largest value; negative values draw as empty bars."""
    top = max((value for _, value in bars), default=Decimal(0))
    height = len(bars) * (BAR + GAP) + GAP
    items = []
    for index, (label, value) in enumerate(bars):
        y = GAP + index * (BAR + GAP)
        length = int(WIDTH * value / top) if top > 0 and value > 0 else 0
        text_y = y + BAR * 3 // 4
        items.append((text_y, label, LABEL, y, length, LABEL + length + 4, text_y, value, unit))
    body = format_html_join(
        "",
        '<text x="0" y="{}">{}</text><rect x="{}" y="{}" width="{}" height="' + str(BAR) + '">'
        '</rect><text x="{}" y="{}">{} {}</text>',
        items,
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" '
        'width="{}" height="{}" viewBox="0 0 {} {}"><title>{}</title>{}</svg>',
        title,
        LABEL + WIDTH + 120,
        height,
        LABEL + WIDTH + 120,
        height,
        title,
        body,
    )
