"""The demo's reported figures (报送) of 标准厂房 (called from portal.demo.load_demo_data,
after targets.demo has added the indicator, its quotas and its scheme line).

The seed: "1–5月…完工面积27200平方米，占年任务数的68%": the verified monthly reports of the
three units that carry the 40,000 ㎡ task add up to 27,200 ㎡ at 1–5月. June adds one more
verified report, one waiting for the commerce bureau and one returned to its unit, so the
queue and the return show something real. Only months 1–6 are used: the demo year's first
half is always over.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile

from targets.demo import STD_FACTORY
from targets.models import Indicator
from targets.reported import reported_create, reported_return, reported_verify

# (unit code, month, ㎡, status): 12,600 + 8,200 + 6,400 = 27,200 ㎡ verified in 1–5月
REPORTS = [
    ("P01", 1, "2000", "verified"),
    ("P01", 2, "1500", "verified"),
    ("P01", 3, "3000", "verified"),
    ("P01", 4, "3500", "verified"),
    ("P01", 5, "2600", "verified"),
    ("T01", 1, "1000", "verified"),
    ("T01", 2, "1200", "verified"),
    ("T01", 3, "2000", "verified"),
    ("T01", 4, "2200", "verified"),
    ("T01", 5, "1800", "verified"),
    ("T02", 2, "1000", "verified"),
    ("T02", 3, "1500", "verified"),
    ("T02", 4, "2000", "verified"),
    ("T02", 5, "1900", "verified"),
    ("P01", 6, "2400", "verified"),
    ("T02", 6, "1200", "pending"),
    ("T01", 6, "900", "returned"),
]
# A one-page placeholder scan, so that the evidence link of each figure works.
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RETURN_REASON = "竣工验收备案表的面积与报送数不符，请核对后重新报送"


def load_reported_demo(*, year: int, units: dict, actor, commerce, reason: str = "") -> dict:
    """Report, verify and return the demo's monthly 标准厂房 figures of ``year``.

    ``units``: unit code → Unit; ``actor(code)``: who reports for that unit (its demo clerk,
    else the commerce bureau); ``commerce``: who verifies."""
    indicator = Indicator.objects.filter(code=STD_FACTORY).first()
    if indicator is None:
        return {"reported": 0}
    counts: dict[str, int] = {}
    for code, month, amount, status in REPORTS:
        if code not in units:
            continue
        figure = reported_create(
            user=actor(code),
            unit=units[code],
            data={
                "year": year,
                "month": month,
                "indicator": indicator,
                "amount": Decimal(amount),
                "evidence": ContentFile(EVIDENCE, name=f"{code}-{year}-{month:02d}-验收备案.pdf"),
            },
            reason=reason,
        )
        if status == "verified":
            reported_verify(figure=figure, user=commerce)
        elif status == "returned":
            reported_return(figure=figure, user=commerce, reason=RETURN_REASON)
        counts[status] = counts.get(status, 0) + 1
    return {"reported": sum(counts.values()), "reported_statuses": counts}
