"""Where an investor comes from; the lists live in :mod:`common.origins` so that targets (the
home province of a year) can use them without importing projects."""

from common.origins import PROVINCE_SET, PROVINCES, REGION_SET, REGIONS

__all__ = ["PROVINCES", "PROVINCE_SET", "REGIONS", "REGION_SET"]
