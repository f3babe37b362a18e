"""Server-rendered SVG charts: no JavaScript, nothing to load, works under the strict CSP (presentation attributes,
no style attributes).  Every label is escaped."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

# Tableau 10: distinguishable, and readable on white.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round axis ticks covering [lo, hi] (lo is usually 0)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.999:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def log_ticks(hi: float) -> list[float]:
    """0, 1, 10, 100, … up to the first power of ten at or above ``hi``."""
    ticks = [0.0, 1.0]
    while ticks[-1] < hi:
        ticks.append(ticks[-1] * 10)
    return ticks


def chart(years: list[int], series: list[tuple[str, dict[int, float]]], *, title: str = "",
          width: int = 860, height: int = 380, log: bool = False) -> Markup:
    """Lines with points per series over the years (bars when there is only one year); a legend underneath.

    ``log`` puts the y axis on a log scale (log10(1 + v)), so one large region does not flatten all the others;
    negative values are drawn at 0 there.
    """
    series = [(name, vals) for name, vals in series if vals]
    legend_rows = math.ceil(len(series) / 4) if series else 0
    m_left, m_right, m_top = 64, 16, 28
    total_h = height + legend_rows * 20
    plot_w, plot_h = width - m_left - m_right, height - m_top - 40
    values = [v for _, vals in series for v in vals.values()]
    lo = 0.0 if log else min(0.0, min(values, default=0.0))
    ticks = log_ticks(max(values, default=1.0)) if log else nice_ticks(lo, max(values, default=1.0))

    def scale(v: float) -> float:
        return math.log10(1 + max(v, 0)) if log else v

    y_lo, y_hi = scale(ticks[0]), scale(ticks[-1])

    def y(v: float) -> float:
        return m_top + plot_h - (scale(v) - y_lo) / ((y_hi - y_lo) or 1) * plot_h

    # years sit at their real distance: every year of the span has its band, and a year no report gives is a
    # marked gap (2015, 2019, 2020 are not three evenly spaced points)
    given = set(years)
    years = list(range(min(years), max(years) + 1)) if years else []
    n = max(len(years), 1)
    band = plot_w / n

    def x(i: int) -> float:
        return m_left + band * (i + 0.5)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {total_h}" '
           f'role="img" aria-label="{escape(title)}" width="100%" preserveAspectRatio="xMinYMin meet">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for t in ticks:  # grid and y labels
        out.append(f'<line x1="{m_left}" x2="{width - m_right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                   f'stroke="#e3e6ea" stroke-width="1"/>')
        out.append(f'<text x="{m_left - 8}" y="{y(t) + 4:.1f}" text-anchor="end" font-size="12" '
                   f'fill="#555">{escape(_fmt(t))}</text>')
    for i, yr in enumerate(years):  # x labels; a year without any report is shaded and says so
        if yr not in given:
            out.append(f'<rect class="gap" x="{x(i) - band / 2:.1f}" y="{m_top}" width="{band:.1f}" '
                       f'height="{plot_h}" fill="#f1f3f5"><title>{yr}：无数据</title></rect>')
        out.append(f'<text x="{x(i):.1f}" y="{m_top + plot_h + 20}" text-anchor="middle" font-size="12" '
                   f'fill="{"#555" if yr in given else "#aaa"}">{yr}</text>')
    out.append(f'<line x1="{m_left}" x2="{width - m_right}" y1="{y(max(lo, y_lo)):.1f}" '
               f'y2="{y(max(lo, y_lo)):.1f}" stroke="#888" stroke-width="1"/>')

    single = len(years) == 1
    for si, (name, vals) in enumerate(series):
        color = PALETTE[si % len(PALETTE)]
        if single:  # bars side by side in the one year's band
            bw = min(40.0, band * 0.8 / max(len(series), 1))
            x0 = x(0) - bw * len(series) / 2 + si * bw
            v = vals.get(years[0])
            if v is not None:
                top, base = y(max(v, 0)), y(min(v, 0))
                out.append(f'<rect class="bar" x="{x0:.1f}" y="{top:.1f}" width="{bw * 0.9:.1f}" '
                           f'height="{max(base - top, 1):.1f}" fill="{color}"><title>{escape(name)} {years[0]}：'
                           f'{escape(_fmt(v))}</title></rect>')
            continue
        # a line through consecutive years that have a value; gaps stay gaps
        run: list[str] = []
        for i, yr in enumerate(years + [None]):
            v = vals.get(yr) if yr is not None else None
            if v is None:
                if len(run) > 1:
                    out.append(f'<polyline class="line" points="{" ".join(run)}" fill="none" stroke="{color}" '
                               f'stroke-width="2"/>')
                run = []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        for i, yr in enumerate(years):
            v = vals.get(yr)
            if v is not None:
                out.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{color}">'
                           f'<title>{escape(name)} {yr}：{escape(_fmt(v))}</title></circle>')
    # legend: four entries per row under the plot
    col_w = (width - m_left) / 4
    for si, (name, _) in enumerate(series):
        lx = m_left + (si % 4) * col_w
        ly = height + (si // 4) * 20
        label = name if len(name) <= 16 else name[:15] + "…"
        out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{PALETTE[si % len(PALETTE)]}"/>')
        out.append(f'<text x="{lx + 18:.1f}" y="{ly}" font-size="12" fill="#333">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
