"""Charts drawn on the server as SVG: readable without JavaScript, printable, no CDN."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from common.rounding import shown, signed
from targets.period import month_name

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 28


def _fmt(value: Decimal) -> str:
    """Axis and description numbers, grouped by thousands and rounded 四舍五入 like every
    shown figure (no 万 shortening: the measure itself is often 万元, and "14.0万万元" would
    be nonsense)."""
    value = shown(value)
    if value == value.to_integral_value():
        return signed(f"{int(value):,}")
    return signed(f"{value:,.2f}")


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest round number (2, 4, 5 or 10 × 10^k, at least 2) not below ``value``: the
    axis top, so that its two gridlines (half and full) are whole numbers, never "2,451.5"."""
    step = Decimal(1)
    while True:
        for factor in (2, 4, 5, 10):
            if step * factor >= value:
                return step * factor
        step *= 10


def cumulative_chart(
    actual: list[Decimal | None], quota: Decimal | None, title: str, measure: str
) -> SafeString:
    """Cumulative actual by month-end (None after the as-of month) against the schedule line
    (quota × m/12). Returns SVG markup with a <title> and a <desc> listing the figures."""
    known = [v for v in actual if v is not None]
    axis_top = nice_ceiling(max([*known, quota or Decimal(0), Decimal(1)]))
    top = axis_top * Decimal("1.05")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: int) -> float:  # month 0 = 1 January, 12 = 31 December
        return LEFT + plot_w * month / 12

    def y(value: Decimal) -> float:
        return TOP + plot_h * float(1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="progress-chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    desc = _("；").join(
        _("%(month)s末 %(v)s%(u)s") % {"month": month_name(m), "v": _fmt(v), "u": measure}
        for m, v in enumerate(actual, start=1)
        if v is not None
    )
    if quota:
        desc = _("年度任务 %(q)s%(u)s") % {"q": _fmt(quota), "u": measure} + _("；") + desc
    parts.append(f"<desc>{escape(desc)}</desc>")
    # axes and grid
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#6c757d" stroke-width="1"/>'
    )
    for fraction in (Decimal("0.5"), Decimal(1)):
        level = axis_top * fraction
        parts.append(
            f'<line x1="{LEFT}" y1="{y(level):.1f}" x2="{WIDTH - RIGHT}" y2="{y(level):.1f}" '
            'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y(level) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#495057">{escape(_fmt(level))}</text>'
        )
    for month in (3, 6, 9, 12):
        tick = month_name(month)
        parts.append(
            f'<text x="{x(month):.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle" '
            f'fill="#495057">{escape(tick)}</text>'
        )
    if quota:
        parts.append(
            f'<line x1="{x(0):.1f}" y1="{y(Decimal(0)):.1f}" x2="{x(12):.1f}" '
            f'y2="{y(quota):.1f}" stroke="#adb5bd" stroke-width="2" stroke-dasharray="5 4"/>'
        )
    points = [(x(0), y(Decimal(0)))] + [
        (x(m), y(v)) for m, v in enumerate(actual, start=1) if v is not None
    ]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0d6efd" stroke-width="2.5"/>')
        px, py = points[-1]
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="#0d6efd"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
