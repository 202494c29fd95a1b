"""The permission matrix: every URL name × every role, with the expected answer to a GET.

A view missing from MATRIX fails ``test_every_url_is_in_the_matrix``: every new view must
be added here with its expected answers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from deposits.services import deposit_record
from targets.models import Indicator
from targets.services import quotas_save
from tests.conftest import ROLE_NAMES

LOGIN = "login"  # anonymous users are redirected to the login page
REDIRECT = "redirect"  # any other redirect


def row(anonymous, clerk, other_clerk, commerce, finance, leadership):
    return dict(
        anonymous=anonymous,
        clerk=clerk,
        other_clerk=other_clerk,
        commerce=commerce,
        finance=finance,
        leadership=leadership,
    )


EVERYONE = row(200, 200, 200, 200, 200, 200)
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200)
COMMERCE_ONLY = row(LOGIN, 403, 403, 200, 403, 403)
# An object of unit A: its clerk and the district roles see it, unit B's clerk gets 404.
UNIT_A_OBJECT = row(LOGIN, 200, 404, 200, 200, 200)


UNIT_EDITORS = row(LOGIN, 200, 200, 200, 403, 403)
# Unit A's object, for pages that only its clerk and the commerce bureau may change.
UNIT_A_EDIT = row(LOGIN, 200, 404, 200, 403, 403)
POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405)
DISTRICT_READ = row(LOGIN, 403, 403, 200, 200, 200)
FINANCE_ONLY = row(LOGIN, 403, 403, 403, 200, 403)
IMPORTERS = row(LOGIN, 200, 200, 200, 200, 403)
# An import batch uploaded by clerk A: nobody else sees it (404); leadership may not import.
OWN_BATCH = row(LOGIN, 200, 404, 404, 404, 403)


@dataclass
class Case:
    expected: dict
    args: str | None = None  # name of the fixture-built object whose pk goes in the URL
    literal_args: tuple = ()


MATRIX: dict[str, Case] = {
    "home": Case(SIGNED_IN),
    "healthz": Case(EVERYONE),
    "login": Case(EVERYONE),
    "logout": Case(row(LOGIN, 405, 405, 405, 405, 405)),
    "password_change": Case(SIGNED_IN),
    "password_change_done": Case(SIGNED_IN),
    "set_language": Case(row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "units:list": Case(SIGNED_IN),
    "units:create": Case(COMMERCE_ONLY),
    "units:detail": Case(UNIT_A_OBJECT, args="unit_a"),
    "units:update": Case(COMMERCE_ONLY, args="unit_a"),
    "targets:quotas_current": Case(row(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT)),
    "targets:quotas": Case(DISTRICT_READ, literal_args=(2026,)),
    "targets:quotas_copy": Case(POST_ONLY, literal_args=(2026,)),
    "targets:dashboard": Case(SIGNED_IN),
    "targets:ranking": Case(SIGNED_IN),
    "targets:unit_dashboard": Case(UNIT_A_OBJECT, args="unit_a"),
    "reporting:park": Case(SIGNED_IN),
    "reporting:events": Case(SIGNED_IN),
    "reporting:pipeline": Case(SIGNED_IN),
    "deposits:board_current": Case(row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "deposits:board": Case(SIGNED_IN, literal_args=(2025,)),
    "deposits:pay": Case(FINANCE_ONLY, literal_args=(2025,)),
    "deposits:letter": Case(FINANCE_ONLY, literal_args=(2025,)),
    "deposits:overdue": Case(DISTRICT_READ, literal_args=(2025,)),
    "deposits:amount": Case(FINANCE_ONLY, literal_args=(2025,)),
    "deposits:receipt": Case(UNIT_A_OBJECT, args="deposit_a"),
    "deposits:void": Case(FINANCE_ONLY, args="deposit_a"),
    "deposits:settlement": Case(DISTRICT_READ, literal_args=(2025,)),
    "deposits:settlement_confirm": Case(POST_ONLY, literal_args=(2025,)),
    "deposits:settlement_reverse": Case(POST_ONLY, literal_args=(2025,)),
    # Nothing settled yet: the sheet page sends the user back to the settlement page.
    "deposits:settlement_sheet": Case(
        row(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT), literal_args=(2025,)
    ),
    "workbook:upload": Case(IMPORTERS),
    "workbook:preview": Case(OWN_BATCH, args="import_batch"),
    "workbook:confirm": Case(POST_ONLY, args="import_batch"),
    "workbook:errors": Case(OWN_BATCH, args="import_batch"),
    "workbook:template": Case(SIGNED_IN, literal_args=("projects",)),
    "rewards:claim_list": Case(SIGNED_IN),
    "rewards:claim_queue": Case(row(LOGIN, 200, 200, 200, 200, 403)),
    "rewards:claim_detail": Case(UNIT_A_OBJECT, args="reward_claim_a"),
    "rewards:claim_review": Case(POST_ONLY, args="reward_claim_a"),
    "rewards:claim_approve": Case(POST_ONLY, args="reward_claim_a"),
    "rewards:claim_pay": Case(POST_ONLY, args="reward_claim_a"),
    "rewards:claim_reject": Case(POST_ONLY, args="reward_claim_a"),
    "rewards:claim_create": Case(UNIT_A_EDIT, args="project_a"),
    "rewards:link_create": Case(UNIT_A_EDIT, args="project_a"),
    "rewards:link_update": Case(COMMERCE_ONLY, args="reward_link_a"),
    # Referrers are district-wide records: everyone reads them (numbers masked but for finance).
    "rewards:referrer_list": Case(SIGNED_IN),
    "rewards:referrer_create": Case(COMMERCE_ONLY),
    "rewards:referrer_detail": Case(SIGNED_IN, args="reward_referrer"),
    "rewards:referrer_update": Case(row(LOGIN, 403, 403, 200, 200, 403), args="reward_referrer"),
    "rewards:referrer_registration": Case(FINANCE_ONLY, args="reward_referrer"),
    "rewards:rule_list": Case(SIGNED_IN),
    "rewards:rule_detail": Case(SIGNED_IN, literal_args=(2026,)),
    "rewards:rule_edit": Case(FINANCE_ONLY, literal_args=(2026,)),
    "rewards:tax_list": Case(SIGNED_IN),
    "rewards:tax_create": Case(FINANCE_ONLY),
    "rewards:tax_update": Case(FINANCE_ONLY, args="tax_record_a"),
    "rewards:tax_import": Case(FINANCE_ONLY),
    "rewards:payouts": Case(DISTRICT_READ),
    "projects:list": Case(SIGNED_IN),
    "projects:create": Case(UNIT_EDITORS),
    "projects:detail": Case(UNIT_A_OBJECT, args="project_a"),
    "projects:update": Case(UNIT_A_EDIT, args="project_a"),
    "projects:duplicate_withdraw": Case(POST_ONLY, args="project_a"),
    "projects:duplicate_keep": Case(POST_ONLY, args="project_a"),
    "projects:inflow_create": Case(UNIT_A_EDIT, args="project_a"),
    "projects:inflow_list": Case(SIGNED_IN),
    "projects:verification": Case(COMMERCE_ONLY),
    "projects:inflow_detail": Case(UNIT_A_OBJECT, args="inflow_a"),
    "projects:inflow_update": Case(UNIT_A_EDIT, args="inflow_a"),
    "projects:inflow_delete": Case(POST_ONLY, args="inflow_a"),
    "projects:inflow_verify": Case(POST_ONLY, args="inflow_a"),
    "projects:inflow_return": Case(POST_ONLY, args="inflow_a"),
    "projects:inflow_correct": Case(COMMERCE_ONLY, args="verified_inflow_a"),
    "projects:inflow_void": Case(COMMERCE_ONLY, args="verified_inflow_a"),
    "projects:inflow_evidence": Case(UNIT_A_OBJECT, args="inflow_a"),
    "projects:event_list": Case(SIGNED_IN),
    "projects:event_create": Case(COMMERCE_ONLY),
    "projects:event_update": Case(COMMERCE_ONLY, args="event"),
    "projects:home_province": Case(COMMERCE_ONLY, literal_args=(2026,)),
}


@pytest.fixture
def deposit_a(unit_a, finance):
    """Unit A's 2025 deposit (it carries a quota, so it owes one)."""
    indicator = Indicator.objects.get(code="fdi_actual")
    quotas_save(year=2025, unit_values={(unit_a.pk, indicator.pk): Decimal(1)}, district_values={})
    return deposit_record(
        year=2025,
        unit=unit_a,
        amount=Decimal(3000),
        paid_on=datetime.date(2025, 4, 1),
        user=finance,
    )


def _url_names(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own staff-only permission system
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _url_names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver()))
    assert names - set(MATRIX) == set(), "views missing from the permission matrix"
    assert set(MATRIX) - names == set(), "matrix rows for URLs that no longer exist"


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, role, client_as, request):
    case = MATRIX[url_name]
    args = [request.getfixturevalue(case.args).pk] if case.args else list(case.literal_args)
    url = reverse(url_name, args=args)
    response = client_as(role).get(url)
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == REDIRECT:
        assert response.status_code == 302
    else:
        assert response.status_code == expected, f"{url_name} as {role}"
