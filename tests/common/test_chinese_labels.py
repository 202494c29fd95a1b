"""The workbook's and the roster's Chinese words are read as Chinese whatever language the
process is speaking when it first needs them (an English page may come first)."""

from django.utils import translation

from common.locale import chinese_labels
from projects.models import Stage
from units.models import UnitCategory, UnitKind
from units.roster import CATEGORY_BY_LABEL, KIND_BY_LABEL
from workbook.importer import CAPITAL_BY_LABEL, STAGE_BY_LABEL


def test_labels_are_chinese_under_an_english_page():
    with translation.override("en"):
        assert chinese_labels(UnitKind.choices)["乡镇"] == UnitKind.TOWNSHIP
        assert chinese_labels(Stage.choices)["签约"] == Stage.SIGNED
        assert "" not in chinese_labels(UnitCategory.choices, skip_blank=True)


def test_the_import_tables_hold_the_chinese_words():
    assert {"乡镇", "街道", "园区", "区直单位"} <= set(KIND_BY_LABEL)
    assert {"一类单位", "重点乡镇"} <= set(CATEGORY_BY_LABEL)
    assert {"外资", "内资"} <= set(CAPITAL_BY_LABEL) and "投产" in STAGE_BY_LABEL
