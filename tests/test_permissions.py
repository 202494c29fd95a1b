"""The permission matrices: every URL name × every role, with the expected answer to a GET
(MATRIX), and every URL that accepts a POST × every role, with the answer to a POST
(POST_MATRIX).

A view missing from MATRIX fails ``test_every_url_is_in_the_matrix``; a view that accepts a
POST and is missing from POST_MATRIX fails ``test_every_post_url_is_in_the_post_matrix``:
every new view must be added here with its expected answers.
"""

import inspect
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.complaints.fixtures import (  # noqa: F401 (fixtures of the complaints rows)
    calendar_day,
    complaint_a,
    complaint_closed_a,
    complaint_received,
    complaint_replied_a,
    complaint_reply_a,
)
from tests.conftest import ALL_ROLE_NAMES
from tests.keyprojects.fixtures import key_milestone_a, key_phase_a, key_project_a  # noqa: F401

LOGIN = "login"  # anonymous users are redirected to the login page
REDIRECT = "redirect"  # any other redirect
OK = "ok"  # let in: the page (200) or, after acting, a redirect that is not to the login page


def _admin_default(anonymous):
    # The administrators (三权分立) reach no business page: where an anonymous user is sent
    # to the login page they get 403; public pages (and their redirects) answer as for anyone.
    return 403 if anonymous == LOGIN else anonymous


def row(
    anonymous,
    clerk,
    other_clerk,
    commerce,
    finance,
    leadership,
    *,
    system_admin=None,
    security_admin=None,
    audit_admin=None,
):
    default = _admin_default(anonymous)
    return dict(
        anonymous=anonymous,
        clerk=clerk,
        other_clerk=other_clerk,
        commerce=commerce,
        finance=finance,
        leadership=leadership,
        system_admin=default if system_admin is None else system_admin,
        security_admin=default if security_admin is None else security_admin,
        audit_admin=default if audit_admin is None else audit_admin,
    )


def admins(answer, system_admin=None, security_admin=None, audit_admin=None) -> dict:
    """The three administrators' columns: ``answer`` for each unless given on its own."""
    given = dict(system_admin=system_admin, security_admin=security_admin, audit_admin=audit_admin)
    return {name: answer if value is None else value for name, value in given.items()}


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
# Account pages: the system administrator manages accounts, the security administrator reads
# them (to unlock, to reset a second factor); the audit administrator and business roles: 403.
ACCOUNT_READERS = row(LOGIN, 403, 403, 403, 403, 403, **admins(403, 200, 200))
SYSTEM_ADMIN_ONLY = row(LOGIN, 403, 403, 403, 403, 403, **admins(403, 200))
ACCOUNT_POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405, **admins(405))
# The security audit log: the audit administrator only (identity adds the admin columns;
# tests/audit/test_pages.py lets the auditor in); no business role reads it.
AUDIT_ADMIN_ONLY = row(LOGIN, 403, 403, 403, 403, 403, audit_admin=200)


@dataclass
class Case:
    expected: dict
    args: str | None = None  # name of the fixture-built object whose pk goes in the URL
    literal_args: tuple = ()


MATRIX: dict[str, Case] = {
    # Administrators land on their own page (accounts:admin_home).
    "home": Case(row(LOGIN, 200, 200, 200, 200, 200, **admins(REDIRECT))),
    "healthz": Case(EVERYONE),
    "login": Case(EVERYONE),
    "logout": Case(row(LOGIN, 405, 405, 405, 405, 405, **admins(405))),
    "password_change": Case(row(LOGIN, 200, 200, 200, 200, 200, **admins(200))),
    "password_change_done": Case(row(LOGIN, 200, 200, 200, 200, 200, **admins(200))),
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
    "targets:scheme_current": Case(row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "targets:scheme": Case(SIGNED_IN, literal_args=(2026,)),
    "targets:scheme_copy": Case(POST_ONLY, literal_args=(2026,)),
    "targets:adjustments": Case(SIGNED_IN, literal_args=(2026,)),
    "targets:adjustment_delete": Case(POST_ONLY, args="score_adjustment_a"),
    "targets:indicators": Case(SIGNED_IN),
    "targets:indicator_add": Case(COMMERCE_ONLY),
    "targets:indicator_edit": Case(COMMERCE_ONLY, args="reported_indicator"),
    "reporting:park": Case(SIGNED_IN),
    "reporting:events": Case(SIGNED_IN),
    "reporting:pipeline": Case(SIGNED_IN),
    "reporting:forecast": Case(SIGNED_IN),
    "followup:list": Case(SIGNED_IN),
    "followup:create": Case(COMMERCE_ONLY),
    "followup:detail": Case(UNIT_A_OBJECT, args="supervision_a"),
    "followup:reply": Case(POST_ONLY, args="supervision_a"),
    "followup:close": Case(POST_ONLY, args="supervision_a"),
    "followup:return": Case(POST_ONLY, args="supervision_a"),
    "followup:reply_attachment": Case(UNIT_A_OBJECT, args="supervision_reply_a"),
    # Everyone's own inbox, the administrators' too.
    "notifications:inbox": Case(row(LOGIN, 200, 200, 200, 200, 200, **admins(200))),
    "notifications:open": Case(
        row(LOGIN, 405, 405, 405, 405, 405, **admins(405)), args="notification_a"
    ),
    "notifications:read_all": Case(row(LOGIN, 405, 405, 405, 405, 405, **admins(405))),
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
    "projects:inflow_bulk_verify": Case(POST_ONLY),
    "projects:inflow_return": Case(POST_ONLY, args="inflow_a"),
    "projects:inflow_correct": Case(COMMERCE_ONLY, args="verified_inflow_a"),
    "projects:inflow_void": Case(COMMERCE_ONLY, args="verified_inflow_a"),
    "projects:inflow_evidence": Case(UNIT_A_OBJECT, args="inflow_a"),
    "projects:event_list": Case(SIGNED_IN),
    "projects:event_create": Case(COMMERCE_ONLY),
    "projects:event_update": Case(COMMERCE_ONLY, args="event"),
    "projects:home_province": Case(COMMERCE_ONLY, literal_args=(2026,)),
    "complaints:list": Case(SIGNED_IN),
    "complaints:create": Case(COMMERCE_ONLY),
    "complaints:statistics": Case(DISTRICT_READ),
    "complaints:detail": Case(UNIT_A_OBJECT, args="complaint_a"),
    "complaints:assign": Case(COMMERCE_ONLY, args="complaint_received"),
    # Only the responsible unit replies: the bureau and the other roles 403, unit B's clerk 404.
    "complaints:reply": Case(row(LOGIN, 200, 404, 403, 403, 403), args="complaint_a"),
    "complaints:close": Case(COMMERCE_ONLY, args="complaint_replied_a"),
    "complaints:follow_up": Case(COMMERCE_ONLY, args="complaint_closed_a"),
    "complaints:reply_attachment": Case(UNIT_A_OBJECT, args="complaint_reply_a"),
    "complaints:calendar": Case(COMMERCE_ONLY),
    "complaints:calendar_delete": Case(POST_ONLY, args="calendar_day"),
    "complaints:calendar_load": Case(POST_ONLY),
    "keyprojects:board": Case(SIGNED_IN),
    "keyprojects:create": Case(COMMERCE_ONLY, args="project_a"),
    "keyprojects:detail": Case(UNIT_A_OBJECT, args="key_project_a"),
    "keyprojects:update": Case(COMMERCE_ONLY, args="key_project_a"),
    "keyprojects:phase_create": Case(COMMERCE_ONLY, args="key_project_a"),
    "keyprojects:phase_update": Case(COMMERCE_ONLY, args="key_phase_a"),
    "keyprojects:milestone_create": Case(COMMERCE_ONLY, args="key_project_a"),
    "keyprojects:milestone_update": Case(COMMERCE_ONLY, args="key_milestone_a"),
    "keyprojects:milestone_done": Case(UNIT_A_EDIT, args="key_milestone_a"),
    "keyprojects:follow_up_create": Case(UNIT_A_EDIT, args="key_project_a"),
    # --- identity and separated administration (三权分立) ---
    # The second factor: district-wide roles and administrators; clerks are never asked.
    # Without an authenticator, verifying sends to enrolment; the recovery codes page shows
    # something only right after enrolment.
    "accounts:otp_enrol": Case(row(LOGIN, 403, 403, 200, 200, 200, **admins(200))),
    "accounts:otp_verify": Case(
        row(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT, **admins(REDIRECT))
    ),
    "accounts:otp_codes": Case(
        row(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT, **admins(REDIRECT))
    ),
    "accounts:admin_home": Case(row(LOGIN, 403, 403, 403, 403, 403, **admins(200))),
    "accounts:list": Case(ACCOUNT_READERS),
    "accounts:detail": Case(ACCOUNT_READERS, args="clerk"),
    "accounts:create": Case(SYSTEM_ADMIN_ONLY),
    "accounts:update": Case(SYSTEM_ADMIN_ONLY, args="clerk"),
    "accounts:set_active": Case(ACCOUNT_POST_ONLY, args="clerk"),
    "accounts:reset_password": Case(ACCOUNT_POST_ONLY, args="clerk"),
    "accounts:unlock": Case(ACCOUNT_POST_ONLY, args="clerk"),
    "accounts:reset_second_factor": Case(ACCOUNT_POST_ONLY, args="clerk"),
    "audit:event_list": Case(AUDIT_ADMIN_ONLY),
    "audit:verify": Case(AUDIT_ADMIN_ONLY),
    # Reported figures (报送), like inflows.
    "targets:reported_list": Case(SIGNED_IN),
    "targets:reported_create": Case(UNIT_EDITORS),
    "targets:reported_verification": Case(COMMERCE_ONLY),
    "targets:reported_unit_list": Case(UNIT_A_OBJECT, args="unit_a"),
    "targets:reported_detail": Case(UNIT_A_OBJECT, args="reported_a"),
    "targets:reported_update": Case(UNIT_A_EDIT, args="reported_a"),
    "targets:reported_delete": Case(POST_ONLY, args="reported_a"),
    "targets:reported_verify": Case(POST_ONLY, args="reported_a"),
    "targets:reported_return": Case(POST_ONLY, args="reported_a"),
    "targets:reported_unverify": Case(POST_ONLY, args="verified_reported_a"),
    "targets:reported_evidence": Case(UNIT_A_OBJECT, args="reported_a"),
    # closing: the district roles read the closes and the city's figures; every unit reads
    # the 通报 and its own changes since a close.
    "closing:months_current": Case(row(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT)),
    "closing:months": Case(DISTRICT_READ, literal_args=(2026,)),
    "closing:close": Case(POST_ONLY, literal_args=(2026, 10)),
    "closing:reopen": Case(POST_ONLY, literal_args=(2026, 10)),
    "closing:changes": Case(SIGNED_IN, literal_args=(2026, 10)),
    "closing:city": Case(DISTRICT_READ, literal_args=(2026, 10)),
    "closing:bulletin": Case(SIGNED_IN, literal_args=(2026, 10)),
    "closing:bulletin_issue": Case(POST_ONLY, literal_args=(2026, 10)),
    "closing:bulletins": Case(SIGNED_IN),
    "closing:bulletin_file": Case(SIGNED_IN, args="closing_bulletin"),
    "closing:template_upload": Case(POST_ONLY),
}


# --- POST ------------------------------------------------------------------------------------
# An empty POST: a form answers with its errors (200), an action acts or explains (302). What
# matters here is who is let in at all: 403 for a role the rule refuses (before any lookup),
# 404 for another unit's object, the login page for anonymous users.

P_SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
P_COMMERCE = row(LOGIN, 403, 403, OK, 403, 403)
P_FINANCE = row(LOGIN, 403, 403, 403, OK, 403)
P_BUREAUS = row(LOGIN, 403, 403, OK, OK, 403)
P_UNIT_EDITORS = row(LOGIN, OK, OK, OK, 403, 403)
P_UNIT_A_EDIT = row(LOGIN, OK, 404, OK, 403, 403)
P_SYSTEM_ADMIN = row(LOGIN, 403, 403, 403, 403, 403, **admins(403, system_admin=OK))
P_SECURITY_ADMIN = row(LOGIN, 403, 403, 403, 403, 403, **admins(403, security_admin=OK))

POST_MATRIX: dict[str, Case] = {
    "login": Case(row(OK, OK, OK, OK, OK, OK)),
    "logout": Case(row(LOGIN, OK, OK, OK, OK, OK, **admins(OK))),
    "password_change": Case(row(LOGIN, OK, OK, OK, OK, OK, **admins(OK))),
    "set_language": Case(row(OK, OK, OK, OK, OK, OK)),
    "units:create": Case(P_COMMERCE),
    "units:update": Case(P_COMMERCE, args="unit_a"),
    # Finance and leadership read the grid; a POST from them is refused by the page itself.
    "targets:quotas": Case(P_COMMERCE, literal_args=(2026,)),
    "targets:quotas_copy": Case(P_COMMERCE, literal_args=(2026,)),
    "targets:scheme": Case(P_COMMERCE, literal_args=(2026,)),
    "targets:scheme_copy": Case(P_COMMERCE, literal_args=(2026,)),
    "targets:adjustments": Case(P_COMMERCE, literal_args=(2026,)),
    "targets:adjustment_delete": Case(P_COMMERCE, args="score_adjustment_a"),
    "targets:indicator_add": Case(P_COMMERCE),
    "targets:indicator_edit": Case(P_COMMERCE, args="reported_indicator"),
    "deposits:pay": Case(P_FINANCE, literal_args=(2025,)),
    "deposits:letter": Case(P_FINANCE, literal_args=(2025,)),
    "deposits:amount": Case(P_FINANCE, literal_args=(2025,)),
    "deposits:void": Case(P_FINANCE, args="deposit_a"),
    "deposits:settlement_confirm": Case(P_FINANCE, literal_args=(2025,)),
    "deposits:settlement_reverse": Case(P_FINANCE, literal_args=(2025,)),
    "workbook:upload": Case(row(LOGIN, OK, OK, OK, OK, 403)),
    "workbook:confirm": Case(row(LOGIN, OK, 404, 404, 404, 403), args="import_batch"),
    "rewards:claim_review": Case(P_COMMERCE, args="reward_claim_a"),
    "rewards:claim_approve": Case(P_FINANCE, args="reward_claim_a"),
    "rewards:claim_pay": Case(P_FINANCE, args="reward_claim_a"),
    "rewards:claim_reject": Case(P_BUREAUS, args="reward_claim_a"),
    "rewards:claim_create": Case(P_UNIT_A_EDIT, args="project_a"),
    "rewards:link_create": Case(P_UNIT_A_EDIT, args="project_a"),
    "rewards:link_update": Case(P_COMMERCE, args="reward_link_a"),
    "rewards:referrer_create": Case(P_COMMERCE),
    "rewards:referrer_update": Case(P_BUREAUS, args="reward_referrer"),
    "rewards:referrer_registration": Case(P_FINANCE, args="reward_referrer"),
    "rewards:rule_edit": Case(P_FINANCE, literal_args=(2026,)),
    "rewards:tax_create": Case(P_FINANCE),
    "rewards:tax_update": Case(P_FINANCE, args="tax_record_a"),
    "rewards:tax_import": Case(P_FINANCE),
    "projects:create": Case(P_UNIT_EDITORS),
    "projects:update": Case(P_UNIT_A_EDIT, args="project_a"),
    "projects:duplicate_withdraw": Case(P_COMMERCE, args="project_a"),
    "projects:duplicate_keep": Case(P_COMMERCE, args="project_a"),
    "projects:inflow_create": Case(P_UNIT_A_EDIT, args="project_a"),
    "projects:inflow_update": Case(P_UNIT_A_EDIT, args="inflow_a"),
    "projects:inflow_delete": Case(P_UNIT_A_EDIT, args="inflow_a"),
    "projects:inflow_verify": Case(P_COMMERCE, args="inflow_a"),
    "projects:inflow_return": Case(P_COMMERCE, args="inflow_a"),
    "projects:inflow_bulk_verify": Case(P_COMMERCE),
    "projects:inflow_correct": Case(P_COMMERCE, args="verified_inflow_a"),
    "projects:inflow_void": Case(P_COMMERCE, args="verified_inflow_a"),
    "projects:event_create": Case(P_COMMERCE),
    "projects:event_update": Case(P_COMMERCE, args="event"),
    "projects:home_province": Case(P_COMMERCE, literal_args=(2026,)),
    "followup:create": Case(P_COMMERCE),
    "followup:reply": Case(row(LOGIN, OK, 404, 403, 403, 403), args="supervision_a"),
    "followup:close": Case(P_COMMERCE, args="supervision_a"),
    "followup:return": Case(P_COMMERCE, args="supervision_a"),
    # One's own reminders only: another's answers 404 whatever the role.
    "notifications:open": Case(
        row(LOGIN, OK, 404, 404, 404, 404, **admins(404)), args="notification_a"
    ),
    "notifications:read_all": Case(row(LOGIN, OK, OK, OK, OK, OK, **admins(OK))),
    "complaints:create": Case(P_COMMERCE),
    "complaints:assign": Case(P_COMMERCE, args="complaint_received"),
    "complaints:reply": Case(row(LOGIN, OK, 404, 403, 403, 403), args="complaint_a"),
    "complaints:close": Case(P_COMMERCE, args="complaint_replied_a"),
    "complaints:follow_up": Case(P_COMMERCE, args="complaint_closed_a"),
    "complaints:calendar": Case(P_COMMERCE),
    "complaints:calendar_delete": Case(P_COMMERCE, args="calendar_day"),
    "complaints:calendar_load": Case(P_COMMERCE),
    "keyprojects:create": Case(P_COMMERCE, args="project_a"),
    "keyprojects:update": Case(P_COMMERCE, args="key_project_a"),
    "keyprojects:phase_create": Case(P_COMMERCE, args="key_project_a"),
    "keyprojects:phase_update": Case(P_COMMERCE, args="key_phase_a"),
    "keyprojects:milestone_create": Case(P_COMMERCE, args="key_project_a"),
    "keyprojects:milestone_update": Case(P_COMMERCE, args="key_milestone_a"),
    "keyprojects:milestone_done": Case(P_UNIT_A_EDIT, args="key_milestone_a"),
    "keyprojects:follow_up_create": Case(P_UNIT_A_EDIT, args="key_project_a"),
    # --- identity and separated administration (三权分立) ---
    "accounts:otp_enrol": Case(row(LOGIN, 403, 403, OK, OK, OK, **admins(OK))),
    "accounts:otp_verify": Case(row(LOGIN, 403, 403, OK, OK, OK, **admins(OK))),
    "accounts:create": Case(P_SYSTEM_ADMIN),
    "accounts:update": Case(P_SYSTEM_ADMIN, args="clerk"),
    "accounts:set_active": Case(P_SYSTEM_ADMIN, args="clerk"),
    "accounts:reset_password": Case(P_SYSTEM_ADMIN, args="clerk"),
    "accounts:unlock": Case(P_SECURITY_ADMIN, args="clerk"),
    "accounts:reset_second_factor": Case(P_SECURITY_ADMIN, args="clerk"),
    "targets:reported_create": Case(P_UNIT_EDITORS),
    "targets:reported_update": Case(P_UNIT_A_EDIT, args="reported_a"),
    "targets:reported_delete": Case(P_UNIT_A_EDIT, args="reported_a"),
    "targets:reported_verify": Case(P_COMMERCE, args="reported_a"),
    "targets:reported_return": Case(P_COMMERCE, args="reported_a"),
    "targets:reported_unverify": Case(P_COMMERCE, args="verified_reported_a"),
    # closing: the commerce bureau closes, reopens, enters the city's figures, issues 通报.
    "closing:close": Case(P_COMMERCE, literal_args=(2026, 10)),
    "closing:reopen": Case(P_COMMERCE, literal_args=(2026, 10)),
    "closing:city": Case(P_COMMERCE, literal_args=(2026, 10)),
    "closing:bulletin_issue": Case(P_COMMERCE, literal_args=(2026, 10)),
    "closing:template_upload": Case(P_COMMERCE),
}


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


@pytest.mark.parametrize("role", ALL_ROLE_NAMES)
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


# --- which views accept a POST -----------------------------------------------------------------


def _wrappers(view):
    """The view and every decorator layer around it (functools.wraps keeps __wrapped__)."""
    while view is not None:
        yield view
        view = getattr(view, "__wrapped__", None)


def _reads_post(function, module, depth: int = 2) -> bool:
    """Whether the function (or a helper of its module that it calls) handles a POST."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    if 'request.method == "POST"' in source or "request.POST" in source:
        return True
    if depth == 0:
        return False
    helpers = [
        module.__dict__[name]
        for name in function.__code__.co_names
        if inspect.isfunction(module.__dict__.get(name))
    ]
    return any(_reads_post(helper, module, depth - 1) for helper in helpers)


def accepts_post(view) -> bool:
    """A class view with a post() method, a function view behind require_POST (or another
    method list that names POST), or one that reads the POST itself."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    layers = list(_wrappers(view))
    for layer in layers:
        closure = inspect.getclosurevars(layer).nonlocals if layer.__closure__ else {}
        methods = closure.get("request_method_list")
        if methods is not None:
            return "POST" in methods
    innermost = layers[-1]
    return _reads_post(innermost, inspect.getmodule(innermost))


def _post_url_names() -> set[str]:
    names = set()
    for name in _url_names(get_resolver()):
        case = MATRIX[name]
        args = ["1"] if case.args else [str(a) for a in case.literal_args]
        if accepts_post(resolve(reverse(name, args=args)).func):
            names.add(name)
    return names


def test_the_post_detection_sees_the_three_kinds_of_view():
    assert accepts_post(resolve(reverse("projects:inflow_verify", args=[1])).func)  # require_POST
    assert accepts_post(resolve(reverse("units:create")).func)  # a class with post()
    assert accepts_post(resolve(reverse("projects:create")).func)  # reads request.POST
    assert not accepts_post(resolve(reverse("projects:list")).func)
    assert not accepts_post(resolve(reverse("deposits:board", args=[2025])).func)


def test_every_post_url_is_in_the_post_matrix():
    accepting = _post_url_names()
    assert accepting - set(POST_MATRIX) == set(), (
        "views that accept a POST missing from POST_MATRIX"
    )
    assert set(POST_MATRIX) - accepting == set(), "POST_MATRIX rows for views that take no POST"


@pytest.mark.parametrize("role", ALL_ROLE_NAMES)
@pytest.mark.parametrize("url_name", sorted(POST_MATRIX))
def test_post_matrix(url_name, role, client_as, request):
    case = POST_MATRIX[url_name]
    args = [request.getfixturevalue(case.args).pk] if case.args else list(case.literal_args)
    url = reverse(url_name, args=args)
    response = client_as(role).post(url, {})
    expected = case.expected[role]
    to_login = response.status_code == 302 and response["Location"].startswith(
        reverse("login") + "?next="
    )
    if expected == LOGIN:
        assert to_login, f"{url_name} as {role}: {response.status_code}"
    elif expected == OK:
        assert response.status_code in (200, 302) and not to_login, (
            f"{url_name} as {role}: {response.status_code}"
        )
    else:
        assert response.status_code == expected, f"{url_name} as {role}"
