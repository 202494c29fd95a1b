"""Helpers of the reported-figure tests (also used by tests/conftest.py's fixtures)."""

from targets.models import Indicator


def make_reported_indicator(
    code: str = "std_factory", name: str = "标准厂房", unit_label: str = "平方米"
) -> Indicator:
    """A reported indicator as the commerce bureau adds it (measured in 平方米)."""
    return Indicator.objects.create(
        code=code, name=name, kind="reported", unit_label=unit_label, display_order=100
    )
