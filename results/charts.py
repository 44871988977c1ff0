"""Small server-rendered SVG charts with Chinese labels, for the pages and the PDF report
(vector, no script, no inline style: only presentation attributes)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
LEVEL_COLOURS = ("#d9534f", "#f0ad4e", "#5bc0de", "#2e7d32")  # Ⅰ … Ⅳ
BLUE, GREY, INK = "#1d4f91", "#8a94a6", "#222"


def _text(x: float, y: float, content: str, *, size=12, anchor="start", fill=INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-family="{FONT}">{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str, width=1.0, dash="") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{dashed}/>'


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>'


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="result-chart" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    )
    # Every text in body went through escape() in _text.
    return mark_safe(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")  # noqa: S308


def stacked_shares(
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    legend: Sequence[str],
    title: str,
    colours: Sequence[str] = LEVEL_COLOURS,
) -> SafeString:
    """One horizontal 100% bar per row (e.g. a grade's level shares), with a legend."""
    label_w, bar_w, row_h = 130, 440, 30
    body = []
    x: float
    for i, (name, colour) in enumerate(zip(legend, colours, strict=False)):
        x = label_w + i * 115
        body += [_rect(x, 6, 12, 12, colour), _text(x + 16, 16, name)]
    for r, (label, shares) in enumerate(rows):
        y, x = 30 + r * row_h, float(label_w)
        body.append(_text(label_w - 6, y + 15, label, anchor="end"))
        for share, colour in zip(shares, colours, strict=False):
            w = max(0.0, share) * bar_w if math.isfinite(share) else 0.0
            body.append(_rect(x, y, w, 20, colour))
            if w > 34:
                percent = f"{share * 100:.0f}%"
                body.append(_text(x + w / 2, y + 14, percent, size=11, anchor="middle", fill="#fff"))
            x += w
    return _svg(label_w + bar_w + 20, 34 + row_h * len(rows), body, title)


def means_with_intervals(
    rows: Sequence[tuple[str, float, float]],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
) -> SafeString:
    """A dot per row with its 95% interval (±1.96 SE, none when the SE is unknown) and an
    optional dashed reference line (e.g. the county mean)."""
    label_w, plot_w, row_h = 150, 380, 26
    finite = [(label, m, s) for label, m, s in rows if math.isfinite(m)]
    if not finite:
        return _svg(10, 10, [], title)
    lows = [m - 1.96 * s if math.isfinite(s) else m for _label, m, s in finite]
    highs = [m + 1.96 * s if math.isfinite(s) else m for _label, m, s in finite]
    extra = [reference] if reference is not None else []
    lo, hi = min(lows + extra), max(highs + extra)
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    height = 40 + row_h * len(finite)
    axis = height - 22
    body = [_line(label_w, axis, label_w + plot_w, axis, stroke=GREY)]
    for t in _ticks(lo, hi):
        body.append(_text(x(t), height - 8, f"{t:g}", size=11, anchor="middle", fill=GREY))
    if reference is not None:
        body.append(_line(x(reference), 4, x(reference), axis, stroke=GREY, dash="4 3"))
        body.append(_text(x(reference) + 4, 12, reference_label, size=11, fill=GREY))
    for r, ((label, mean, _se), low, high) in enumerate(zip(finite, lows, highs, strict=True)):
        y = 22 + r * row_h
        body += [
            _text(label_w - 6, y + 4, label, anchor="end"),
            _line(x(low), y, x(high), y, stroke=BLUE, width=2),
            f'<circle cx="{x(mean):.1f}" cy="{y}" r="4.5" fill="{BLUE}"/>',
            _text(x(high) + 6, y + 4, f"{mean:.1f}", size=11, fill="#333"),
        ]
    return _svg(label_w + plot_w + 50, height, body, title)


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = 10 ** math.floor(math.log10(span / 4)) if span > 0 else 1
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 6:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 6) for i in range(int((hi - first) // step) + 1)]
