from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UnitFactory
from units.models import Unit, UnitKind


def test_commerce_creates_a_unit_and_the_history_names_them(client_as, commerce):
    client = client_as("commerce")
    response = client.post(
        reverse("units:create"),
        {"code": "t30", "name": "新设乡", "kind": "township", "category": "", "display_order": 5},
    )
    unit = Unit.objects.get(code="T30")
    assert response.status_code == 302 and response["Location"] == unit.get_absolute_url()
    assert unit.history.get().history_user == commerce


def test_an_edit_shows_who_changed_what(client_as, unit_a):
    client = client_as("commerce")
    response = client.post(
        reverse("units:update", args=[unit_a.pk]),
        {
            "code": unit_a.code,
            "name": "甲镇（新）",
            "kind": "township",
            "display_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(unit_a.get_absolute_url()).content.decode()
    assert "甲镇 → 甲镇（新）" in page
    assert "commerce" in page


def test_a_duplicate_code_is_refused_in_chinese(client_as, unit_a):
    response = client_as("commerce").post(
        reverse("units:create"),
        {"code": unit_a.code, "name": "别的名字", "kind": "township", "display_order": 1},
    )
    assert response.status_code == 200
    assert "单位编码" in response.content.decode() and "已存在" in response.content.decode()
    assert Unit.objects.filter(name="别的名字").count() == 0


def test_a_bad_code_is_refused_in_chinese(client_as):
    response = client_as("commerce").post(
        reverse("units:create"),
        {"code": "甲 01", "name": "某单位", "kind": "township", "display_order": 1},
    )
    assert "单位编码只能包含字母、数字" in response.content.decode()
    assert not Unit.objects.filter(name="某单位").exists()


@pytest.mark.parametrize("role", ["clerk", "other_clerk", "finance", "leadership"])
def test_only_commerce_may_post_unit_changes(client_as, unit_a, role):
    client = client_as(role)
    assert (
        client.post(
            reverse("units:create"), {"code": "Z1", "name": "Z", "kind": "township"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("units:update", args=[unit_a.pk]),
        {"code": "A01", "name": "改名", "kind": "township"},
    )
    assert response.status_code == 403
    unit_a.refresh_from_db()
    assert unit_a.name == "甲镇" and not Unit.objects.filter(code="Z1").exists()


def test_a_clerk_lists_only_their_own_unit(client_as, unit_a, unit_b):
    page = client_as("clerk").get(reverse("units:list")).content.decode()
    assert "甲镇" in page and "乙镇" not in page


def test_the_list_filters_by_kind_category_and_search(client_as, unit_a, unit_b):
    UnitFactory(code="D99", name="区某局", kind=UnitKind.DEPARTMENT, category="class_one")
    client = client_as("commerce")
    page = client.get(reverse("units:list"), {"kind": "department"}).content.decode()
    assert "区某局" in page and "甲镇" not in page
    page = client.get(reverse("units:list"), {"category": "none"}).content.decode()
    assert "甲镇" in page and "区某局" not in page
    page = client.get(reverse("units:list"), {"q": "乙"}).content.decode()
    assert "乙镇" in page and "甲镇" not in page


def test_a_malformed_filter_is_not_a_500(client_as, unit_a):
    response = client_as("commerce").get(reverse("units:list"), {"kind": "castle", "page": "x"})
    assert response.status_code in (200, 404)


def _export_rows(response):
    workbook = load_workbook(BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_export_is_scoped_and_has_chinese_headers(client_as, unit_a, unit_b):
    response = client_as("clerk").get(reverse("units:list"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # The list's title and the date, in Chinese (RFC 5987), the ASCII name as the fallback.
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="units-{today}.xlsx"; '
        f"filename*=utf-8''{quote(f'责任单位-{today}.xlsx')}"
    )
    rows = _export_rows(response)
    assert rows[0][:3] == ("排序", "单位编码", "单位名称")
    assert [r[2] for r in rows[1:]] == ["甲镇"]
    rows = _export_rows(client_as("commerce").get(reverse("units:list"), {"export": "xlsx"}))
    assert {r[2] for r in rows[1:]} == {"甲镇", "乙镇"}


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("units:list")).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_query_count_does_not_grow_with_rows(client_as, db):
    client = client_as("commerce")
    UnitFactory.create_batch(3)
    few = _queries_for_list(client)
    UnitFactory.create_batch(40)
    assert _queries_for_list(client) == few
