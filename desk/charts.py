"""Charts drawn on the server as SVG strings: no chart library, no script in the browser.

Each chart is an inline <svg role="img"> labelled by its own <title> and <desc>; every bar
carries its number in `data-value` (and a <title> a pointer or screen reader can reach), and
the page shows the same numbers as a table beside it. Colours are presentation attributes,
never a style attribute (the CSP allows no inline styles).

    bar_chart(chart_id="releases", title="Releases per month", desc="...",
              labels=["2025-01", "2025-02"], values=[3, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from burmese import contains_burmese

# Distinguishable for common colour blindness (Okabe-Ito); the table carries the numbers.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
AXIS = "#555555"
FONT = 12
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Series:
    """One stacked layer: its name (the legend) and a value per label."""

    name: str
    values: Sequence[float]


def _lang(text: str) -> str:
    return ' lang="my"' if contains_burmese(text) else ""


def _num(value: float) -> str:
    """A coordinate or value without trailing zeros (stable in tests, short in pages)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _label(value: float, unit: str) -> str:
    return f"{_num(value)}{unit}"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="{FONT}">',
        f'<title id="{cid}-title"{_lang(title)}>{escape(title)}</title>',
        f'<desc id="{cid}-desc"{_lang(desc)}>{escape(desc)}</desc>',
    ]


def _empty(chart_id: str, title: str, desc: str, message: str) -> SafeString:
    parts = _open(chart_id, title, desc, 320, 40)
    parts.append(f'<text x="0" y="24" fill="{AXIS}"{_lang(message)}>{escape(message)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str = "",
    empty: str = "",
    bar_width: int = 28,
    plot_height: int = 160,
) -> SafeString:
    """Vertical bars, one per label (months along the bottom). Bar height is proportional to
    its value: height = value / max(values) × plot_height."""
    if not values or max(values) <= 0:
        return _empty(chart_id, title, desc, empty or title)
    top, left, bottom = 18, 34, 40
    gap = max(bar_width // 3, 4)
    width = left + len(values) * (bar_width + gap) + gap
    height = top + plot_height + bottom
    peak = max(values)
    base = top + plot_height
    parts = _open(chart_id, title, desc, width, height)
    parts += _axes(left, top, base, width, peak, unit)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = value / peak * plot_height
        x = left + gap + i * (bar_width + gap)
        parts.append(
            f'<g class="bar"><rect x="{_num(x)}" y="{_num(base - h)}" width="{bar_width}" '
            f'height="{_num(h)}" fill="{PALETTE[0]}" data-label="{escape(label)}" '
            f'data-value="{_num(value)}"><title{_lang(label)}>{escape(label)}: '
            f"{_label(value, unit)}</title></rect>"
        )
        if value:
            parts.append(
                f'<text x="{_num(x + bar_width / 2)}" y="{_num(base - h - 3)}" '
                f'text-anchor="middle">{_label(value, unit)}</text>'
            )
        parts.append(
            f'<text x="{_num(x + bar_width / 2)}" y="{base + 14}" text-anchor="end" '
            f'transform="rotate(-40 {_num(x + bar_width / 2)} {base + 14})"'
            f"{_lang(label)}>{escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def hbar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str = "",
    scale_max: float | None = None,
    empty: str = "",
    plot_width: int = 300,
    label_width: int = 190,
) -> SafeString:
    """Horizontal bars, one per label (long names such as targets read on the left). Bar
    width = value / scale_max × plot_width (scale_max: 100 for percentages, else the peak)."""
    if not values:
        return _empty(chart_id, title, desc, empty or title)
    peak = scale_max or max(values) or 1
    row, bar = 24, 16
    width = label_width + plot_width + 56
    height = len(values) * row + 8
    parts = _open(chart_id, title, desc, width, height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        w = value / peak * plot_width
        y = 4 + i * row
        parts.append(
            f'<g class="bar"><text x="{label_width - 6}" y="{y + bar - 3}" text-anchor="end"'
            f"{_lang(label)}>{escape(_short(label))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{_num(w)}" height="{bar}" '
            f'fill="{PALETTE[2]}" data-label="{escape(label)}" data-value="{_num(value)}">'
            f"<title{_lang(label)}>{escape(label)}: {_label(value, unit)}</title></rect>"
            f'<text x="{_num(label_width + w + 4)}" y="{y + bar - 3}">'
            f"{_label(value, unit)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    empty: str = "",
    bar_width: int = 28,
    plot_height: int = 160,
) -> SafeString:
    """Vertical bars stacked by series (asks by status, per month), with a legend. Each
    segment's height = value / max(column totals) × plot_height."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    if not totals or max(totals) <= 0:
        return _empty(chart_id, title, desc, empty or title)
    top, left, bottom, legend_row = 18, 34, 40, 18
    gap = max(bar_width // 3, 4)
    width = max(left + len(labels) * (bar_width + gap) + gap, 360)
    legend_top = top + plot_height + bottom
    height = legend_top + legend_row * len(series) + 4
    peak = max(totals)
    base = top + plot_height
    parts = _open(chart_id, title, desc, width, height)
    parts += _axes(left, top, base, left + len(labels) * (bar_width + gap) + gap, peak, "")
    for i, label in enumerate(labels):
        x = left + gap + i * (bar_width + gap)
        y = base
        parts.append(f'<g class="column" data-label="{escape(label)}">')
        for k, layer in enumerate(series):
            value = layer.values[i]
            if not value:
                continue
            h = value / peak * plot_height
            y -= h
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{bar_width}" height="{_num(h)}" '
                f'fill="{PALETTE[k % len(PALETTE)]}" data-series="{escape(layer.name)}" '
                f'data-value="{_num(value)}"><title>{escape(label)}, {escape(layer.name)}: '
                f"{_num(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{_num(x + bar_width / 2)}" y="{base + 14}" text-anchor="end" '
            f'transform="rotate(-40 {_num(x + bar_width / 2)} {base + 14})">'
            f"{escape(label)}</text></g>"
        )
    for k, layer in enumerate(series):
        y = legend_top + k * legend_row
        parts.append(
            f'<g class="legend"><rect x="{left}" y="{y}" width="12" height="12" '
            f'fill="{PALETTE[k % len(PALETTE)]}"/><text x="{left + 18}" y="{y + 10}"'
            f"{_lang(layer.name)}>{escape(layer.name)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def _axes(left: int, top: int, base: int, right: int, peak: float, unit: str) -> list[str]:
    """The baseline and the peak's gridline, each labelled, so sizes read without the table."""
    return [
        f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{AXIS}"/>',
        f'<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="#dddddd" '
        f'stroke-dasharray="3 3"/>',
        f'<text x="{left - 4}" y="{base + 4}" text-anchor="end" fill="{AXIS}">0</text>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="{AXIS}">'
        f"{_label(peak, unit)}</text>",
    ]


def _short(label: str, limit: int = 30) -> str:
    # The full name is in the bar's <title> and in the table.
    return label if len(label) <= limit else label[: limit - 1] + "…"
