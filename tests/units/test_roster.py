from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from units.models import Unit, UnitCategory, UnitKind
from units.roster import RosterError, parse_roster

DOMAIN_NAMES = ["郴江镇", "石盖塘镇", "市郊乡", "华塘镇", "万华岩镇", "保和乡", "湘南国际物流园"]
CLASS_ONE = ["发改局", "经济局", "旅游局", "商务局", "工商联"]


@pytest.mark.django_db
def test_the_default_roster_has_the_districts_90_units():
    call_command("load_roster")
    assert Unit.objects.count() == 90
    local = Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT])
    assert local.count() == 18
    assert list(Unit.objects.filter(kind=UnitKind.PARK).values_list("name", flat=True)) == [
        "湘南国际物流园"
    ]
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 71
    names = set(Unit.objects.values_list("name", flat=True))
    for name in DOMAIN_NAMES:
        assert name in names
    assert "区财政局" in names
    key = set(
        Unit.objects.filter(category=UnitCategory.KEY_TOWNSHIP).values_list("name", flat=True)
    )
    assert key == {"郴江镇", "石盖塘镇", "市郊乡", "华塘镇", "万华岩镇"}
    class_one = Unit.objects.filter(category=UnitCategory.CLASS_ONE).values_list("name", flat=True)
    assert sorted(class_one) == sorted(f"区{name}" for name in CLASS_ONE)


@pytest.mark.django_db
def test_loading_the_roster_twice_changes_nothing(capsys):
    call_command("load_roster")
    first = list(Unit.objects.values_list("code", "name", "kind", "category", "display_order"))
    history_rows = Unit.history.count()
    call_command("load_roster")
    assert "新增 0，更新 0，未变 90" in capsys.readouterr().out
    assert first == list(
        Unit.objects.values_list("code", "name", "kind", "category", "display_order")
    )
    assert Unit.history.count() == history_rows


@pytest.mark.django_db
def test_a_changed_roster_updates_by_code(tmp_path: Path):
    call_command("load_roster")
    path = tmp_path / "roster.csv"
    path.write_text("单位编码,单位名称,单位类型,类别\nT01,郴江镇,乡镇,\nN01,新设街道,街道,\n")
    call_command("load_roster", str(path))
    assert Unit.objects.get(code="T01").category == ""
    assert Unit.objects.get(code="N01").kind == UnitKind.SUBDISTRICT
    assert Unit.objects.count() == 91


@pytest.mark.django_db
def test_a_bad_roster_lists_every_error_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "单位编码,单位名称,单位类型,类别\n"
        "G01,好单位,乡镇,\n"
        "G02,坏类型,村,\n"
        "G01,重复编码,街道,\n"
        "G03,坏类别,区直单位,二类单位\n"
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("load_roster", str(path))
    message = str(excinfo.value)
    assert "第 3 行" in message and "单位类型“村”无效" in message
    assert "第 4 行" in message and "与第 2 行重复" in message
    assert "第 5 行" in message and "类别“二类单位”无效" in message
    assert not Unit.objects.exists()


def test_a_roster_without_required_columns_is_refused():
    with pytest.raises(RosterError, match="缺少必填列：单位类型"):
        parse_roster("单位编码,单位名称\nA,B\n")


def test_a_bom_and_blank_rows_are_accepted():
    rows = parse_roster("\ufeff单位编码,单位名称,单位类型,类别\nt09,某乡,乡镇,重点乡镇\n,,,\n")
    assert rows == [
        {
            "code": "T09",
            "name": "某乡",
            "kind": UnitKind.TOWNSHIP,
            "category": UnitCategory.KEY_TOWNSHIP,
            "display_order": 20,
            "is_active": True,
        }
    ]


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="找不到名册文件"):
        call_command("load_roster", "/nonexistent/roster.csv")
