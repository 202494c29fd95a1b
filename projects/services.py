"""Every write to projects, promotion events and inflows.

The web forms, the workbook import (through the bulk services at the end) and the admin
(read-only) all come through here, so one set of rules applies: model validation
(``full_clean``) plus DOMAIN.md's counting rules, which live in ``_prepare_projects`` and
``_prepare_inflows`` and nowhere else:

- money only on a signed project; a 终止 project takes no new money; a stage does not move back
  below 签约 while verified money exists;
- a 凭证号 counts once in the district (only a voided inflow frees it);
- the same investor's project in another unit is flagged 重复统计 for the commerce bureau;
- a likely 万/亿 slip (above the unit's whole-year quota, else the district's task, or above
  10× the contract) needs a confirmation in a form, and stays flagged for the verifier.

Every rule is checked per batch (one query per rule, whatever the batch's size), so the
import of many rows costs what the form's one row costs. Role checks are the views' job;
these functions check the state an object must be in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import (
    DecimalValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from common.bulk import BulkItem, Writer, build, insert_job
from common.permissions import require
from common.roles import Role
from common.services import stamp
from common.validators import normalize_credit_code
from notifications.api import notify
from projects.counting import inflow_contributions, project_contributions, project_with_inflows
from projects.models import (
    UNSIGNED_STAGES,
    Inflow,
    InflowStatus,
    Project,
    PromotionEvent,
    Stage,
    StageChange,
)
from projects.selectors import duplicate_matches
from targets import indicators as codes
from targets import rollups
from targets.models import CapitalType, DistrictTask, Quota
from targets.rollups import track
from targets.slips import slip_reason

PROJECT_FIELDS = (
    "code", "name", "capital_type", "unit", "investor", "investor_credit_code", "origin",
    "industry", "stage", "signed_on", "approved_on", "started_on", "produced_on",
    "contract_amount", "registered_capital", "total_investment", "is_park_project", "event",
    "referrer_name",
)  # fmt: skip
PROJECT_WRITABLE = [f for f in PROJECT_FIELDS if f != "code"]
BATCH = 1000  # rows per INSERT or UPDATE statement of the bulk services
INFLOW_FIELDS = ("arrived_on", "amount", "voucher_no", "evidence")
# A change of one of these may make a project the same as another unit's.
DUPLICATE_KEYS = {"investor_credit_code", "investor", "name", "unit"}


class LikelySlipError(ValidationError):
    """A likely 万/亿 slip that the user has not confirmed."""


def _copy(instance):
    """A detached copy of a model instance, so that the original keeps the old values."""
    clone = type(instance)()
    clone.__dict__.update({k: v for k, v in instance.__dict__.items() if k != "_state"})
    clone._state.adding = False
    clone._state.db = instance._state.db
    return clone


def _value(instance, name: str):
    """A field's current value, foreign keys by id (no query)."""
    if name in ("unit", "event", "project"):
        return getattr(instance, f"{name}_id")
    return getattr(instance, name)


def _id(value):
    return value.pk if hasattr(value, "pk") else value


# --- the rules' look-ups, one query per batch --------------------------------------------


def _yardsticks(keys: set[tuple[int, int, str]], kept: dict | None = None) -> dict[tuple, tuple]:
    """(unit id, year, indicator code) → (whole-year figure, is the district's): the unit's
    positive quota, else the district's positive task; absent when there is neither.
    ``kept``: the answers so far for a caller that writes no quota or task between its
    batches (BatchLookups), so that only new keys are asked."""
    if kept is not None:
        missing = keys - kept.keys()
        if missing:
            found = _yardsticks(missing)
            kept.update((key, found.get(key)) for key in missing)
        return {key: kept[key] for key in keys if kept[key] is not None}
    if not keys:
        return {}
    unit_ids = {k[0] for k in keys}
    years = {k[1] for k in keys}
    indicators = {k[2] for k in keys}
    quotas = {
        (unit_id, year, code): amount
        for unit_id, year, code, amount in Quota.objects.filter(
            unit_id__in=unit_ids, year__year__in=years, indicator__code__in=indicators
        ).values_list("unit_id", "year__year", "indicator__code", "amount")
    }
    tasks = {
        (year, code): amount
        for year, code, amount in DistrictTask.objects.filter(
            year__year__in=years, indicator__code__in=indicators
        ).values_list("year__year", "indicator__code", "amount")
    }
    out = {}
    for key in keys:
        quota = quotas.get(key)
        if quota is not None and quota > 0:
            out[key] = (quota, False)
        elif tasks.get(key[1:]) is not None and tasks[key[1:]] > 0:
            out[key] = (tasks[key[1:]], True)
    return out


def _money_indicator(project: Project) -> str:
    return (
        codes.FDI_ACTUAL if project.capital_type == CapitalType.FOREIGN else codes.DOMESTIC_ACTUAL
    )


def _contract_day(project: Project):
    return project.approved_on or project.signed_on


def inflow_slip_reasons(inflows: list[Inflow], kept: dict | None = None) -> list[str]:
    """For each inflow, why its amount looks like a 万/亿 slip ("" when it does not).
    ``kept``: see :func:`_yardsticks`."""
    keys = {
        (i.project.unit_id, i.arrived_on.year, _money_indicator(i.project))
        for i in inflows
        if i.arrived_on
    }
    sticks = _yardsticks(keys, kept)
    out = []
    for inflow in inflows:
        project = inflow.project
        key = (project.unit_id, inflow.arrived_on.year, _money_indicator(project))
        quota, district = sticks.get(key, (None, False)) if inflow.arrived_on else (None, False)
        out.append(
            slip_reason(
                inflow.amount,
                quota=quota,
                quota_is_district=district,
                contract=project.contract_amount,
                measure=project.money_measure,
            )
        )
    return out


def project_slip_reasons(projects: list[Project]) -> list[str]:
    """A foreign project's contract amount counts toward 合同利用外资: judged against that
    quota. Other amounts count toward nothing, so there is nothing to judge them against."""
    keys = {
        (p.unit_id, _contract_day(p).year, codes.FDI_CONTRACT)
        for p in projects
        if p.capital_type == CapitalType.FOREIGN and _contract_day(p)
    }
    sticks = _yardsticks(keys)
    out = []
    for project in projects:
        day = _contract_day(project)
        if project.capital_type != CapitalType.FOREIGN or day is None:
            out.append("")
            continue
        quota, district = sticks.get((project.unit_id, day.year, codes.FDI_CONTRACT), (None, 0))
        out.append(
            slip_reason(
                project.contract_amount,
                quota=quota,
                quota_is_district=district,
                measure=project.money_measure,
            )
        )
    return out


def money_refusal(project: Project, *, new: bool) -> str:
    """Why the project cannot take this money ("" when it can)."""
    if project.stage == Stage.WITHDRAWN:
        return _("项目已作为重复统计撤回，不能登记或修改到位资金。")
    if project.stage == Stage.TERMINATED and new:
        return _("项目已终止，不能再登记新的到位资金（已计入的保留）。")
    if project.signed_on is None or project.stage in UNSIGNED_STAGES:
        return _("项目尚未签约（当前阶段：%(stage)s），签约并填写签约日期后才能登记到位资金。") % {
            "stage": project.get_stage_display()
        }
    return ""


def _vouchers_taken(vouchers: set[str]) -> dict[str, set[int]]:
    """凭证号 → ids of the live inflows holding it (only voiding frees one; a pre-rule
    duplicate still holds its 凭证号 against a new claim)."""
    taken: dict[str, set[int]] = defaultdict(set)
    if vouchers:
        # In two halves, each matching one of the partial indexes on 凭证号 (the unique one
        # of the live records, the legacy duplicates' queue): as one filter it matched
        # neither, and each batch of an import read the whole table.
        live = (
            Inflow.objects.exclude(status=InflowStatus.VOIDED)
            .filter(voucher_no__among=vouchers)
            .order_by()
            .values_list("voucher_no", "pk")
        )
        for voucher, pk in live.filter(legacy_voucher_duplicate=False).union(
            live.filter(legacy_voucher_duplicate=True), all=True
        ):
            taken[voucher].add(pk)
    return taken


@dataclasses.dataclass
class BatchLookups:
    """The inflow rules' reads made ahead by a caller that writes in batches.

    An import asks for a chunk's 凭证号 before the previous chunk's inserts start
    (``common.bulk.Writer(hold=True)``), so that the query does not wait behind them (the
    previous chunk's 凭证号 are counted as taken anyway, see ``_refuse_taken_vouchers``).
    ``yardsticks`` keeps the quotas and tasks a sheet of inflows has read (it writes none)
    for its later chunks, and so does ``context`` the rollup's look-ups. Every answer is
    the one the rules' own query would give: a 凭证号 not asked for ahead is looked up
    then, as it always was."""

    asked: frozenset = frozenset()
    taken: dict = dataclasses.field(default_factory=dict)
    yardsticks: dict = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def context(self) -> rollups.Context:
        """The rollup's look-ups (years, indicators), read once for the sheet."""
        return rollups.Context()

    def ask(self, vouchers: set[str]) -> None:
        """Look the batch's 凭证号 up now."""
        self.asked = frozenset(vouchers)
        self.taken = _vouchers_taken(set(self.asked))

    def vouchers_taken(self, vouchers: set[str]) -> dict[str, set[int]]:
        taken = _vouchers_taken(vouchers - self.asked)
        for voucher in vouchers & self.asked:
            if voucher in self.taken:
                taken[voucher] = self.taken[voucher]
        return taken


def _duplicate_warning(project: Project) -> tuple[str, str]:
    if project.investor_credit_code:
        return (
            "investor_credit_code",
            _(
                "其他单位已登记同一投资方（统一社会信用代码 %(code)s）的项目，"
                "已列入商务局“重复统计”核查；核查前照常计入。"
            )
            % {"code": project.investor_credit_code},
        )
    return (
        "name",
        _(
            "其他单位已登记投资方“%(investor)s”的同名项目，"
            "已列入商务局“重复统计”核查；核查前照常计入。"
        )
        % {"investor": project.investor},
    )


# --- the rules, for one record or many -----------------------------------------------------


def _validate(item: BulkItem, fk: tuple[str, ...]) -> None:
    """Model validation (the fields' validators and ``clean()``) of the fields the caller
    set: the others were validated when stored, or are set by the services themselves.
    Foreign keys come resolved (from the form or a batched look-up).

    What ``full_clean(exclude=<every other field>, validate_unique=False,
    validate_constraints=False)`` does, field for field and message for message, without
    walking every field of the model for each record (the import validates thousands)."""
    obj = item.obj
    errors: dict = {}
    for field, passes in _fields_to_check(type(obj), item.changed, fk):
        raw = getattr(obj, field.attname)
        if passes(raw):
            continue  # field.clean would give back the same value, with no error
        if (field.blank and raw in field.empty_values) or isinstance(raw, DatabaseDefault):
            continue
        try:
            setattr(obj, field.attname, field.clean(raw, obj))
        except ValidationError as error:
            errors[field.name] = error.error_list
    try:
        obj.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        item.refuse_all(ValidationError(errors))


# The field classes whose ``to_python`` gives back a value of these exact types unchanged
# (a finite Decimal: an equal one).
AS_IS = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.DateField: (dt.date,),
    models.DecimalField: (Decimal,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
}


def _passes(field, raw) -> bool:
    """True when ``field.clean(raw)`` would return ``raw`` as it is, without an error: a
    value of a type ``to_python`` keeps, not empty, on a field without choices, that every
    one of the field's validators accepts. Anything else (and any refusal, for its exact
    messages) goes through ``field.clean`` itself."""
    if (
        type(raw) not in AS_IS.get(type(field), ())
        or field.choices
        or raw in field.empty_values
        or (type(raw) is Decimal and not raw.is_finite())
    ):
        return False
    try:
        for kind, limit in _validator_checks(field):
            if kind is None:
                limit(raw)  # a validator of its own: asked as it is
            elif (
                (kind is MaxLengthValidator and len(raw) > limit)
                or (kind is MinValueValidator and raw < limit)
                or (kind is MaxValueValidator and raw > limit)
                or (kind is ProhibitNullCharactersValidator and "\x00" in raw)
            ):
                return False
    except ValidationError:
        return False
    return True


VALIDATOR_CHECKS: dict = {}
# Django's validators that compare with a fixed limit (BaseValidator's compare), and the
# null-character one: their test is done inline; field.clean gives the message when one fails.
INLINE_VALIDATORS = (MaxLengthValidator, MinValueValidator, MaxValueValidator)


def _validator_checks(field) -> list[tuple]:
    if field not in VALIDATOR_CHECKS:
        checks = []
        for validator in field.validators:
            kind = type(validator)
            if kind in INLINE_VALIDATORS and not callable(validator.limit_value):
                checks.append((kind, validator.limit_value))
            elif kind is ProhibitNullCharactersValidator:
                checks.append((kind, None))
            else:
                checks.append((None, validator))
        VALIDATOR_CHECKS[field] = checks
    return VALIDATOR_CHECKS[field]


FIELD_ORDER: dict = {}
FIELDS_TO_CHECK: dict = {}


def _fields_to_check(model, changed: list[str], fk: tuple[str, ...]) -> list:
    """The model's fields named in ``changed`` (foreign keys in ``fk`` left out), in the
    model's order, as ``clean_fields`` meets them (worked out once per set of names: the
    rows of a batch name the same fields)."""
    key = (model, tuple(changed), fk)
    if key not in FIELDS_TO_CHECK:
        if model not in FIELD_ORDER:
            FIELD_ORDER[model] = {
                f.name: (n, f) for n, f in enumerate(model._meta.fields) if not f.generated
            }
        order = FIELD_ORDER[model]
        found = sorted(order[name] for name in set(changed) if name in order and name not in fk)
        if len(FIELDS_TO_CHECK) > 1000:  # a bounded cache
            FIELDS_TO_CHECK.clear()
        FIELDS_TO_CHECK[key] = [(field, _passes_test(field)) for _n, field in found]
    return FIELDS_TO_CHECK[key]


def _passes_test(field):
    """``_passes`` for one field, as a test of the value alone: for a text field whose only
    validators are Django's length and null-character ones (most of them) the whole test
    is inline."""
    checks = _validator_checks(field)
    kinds = {kind for kind, _limit in checks}
    if (
        type(field) in (models.CharField, models.TextField)
        and not field.choices
        and kinds <= {MaxLengthValidator, ProhibitNullCharactersValidator}
    ):
        limit = min((n for kind, n in checks if kind is MaxLengthValidator), default=None)
        if limit is None:
            return lambda raw: type(raw) is str and raw != "" and "\x00" not in raw
        return lambda raw: (
            type(raw) is str and raw != "" and len(raw) <= limit and "\x00" not in raw
        )
    if type(field) is models.DecimalField and not field.choices:
        return _decimal_test(field, checks) or (lambda raw: _passes(field, raw))
    return lambda raw: _passes(field, raw)


def _decimal_test(field, checks: list[tuple]):
    """An amount field whose validators are Django's DecimalValidator (the field's digits)
    and fixed minimum or maximum: all tested inline. A finite Decimal with at most
    ``decimal_places`` decimals and fewer than ``max_digits - decimal_places`` whole digits
    is what DecimalValidator accepts. None when the field has anything else."""
    places, digits = field.decimal_places, field.max_digits
    if places is None or digits is None:
        return None
    low = high = None
    for kind, limit in checks:
        if kind is None and type(limit) is DecimalValidator:
            if (limit.max_digits, limit.decimal_places) != (digits, places):
                return None
        elif kind is MinValueValidator:
            low = limit if low is None else max(low, limit)
        elif kind is MaxValueValidator:
            high = limit if high is None else min(high, limit)
        else:
            return None
    bound = Decimal(10) ** (digits - places)

    def test(raw) -> bool:
        return (
            type(raw) is Decimal
            and raw.is_finite()
            and raw.as_tuple().exponent >= -places
            and -bound < raw < bound
            and (low is None or raw >= low)
            and (high is None or raw <= high)
        )

    return test


def _build_project(item: BulkItem, user) -> None:
    """The project as it would be saved (``item.obj``); "unchanged" when nothing changes."""
    data = dict(item.data)
    if "investor_credit_code" in data:
        data["investor_credit_code"] = normalize_credit_code(data["investor_credit_code"])
    current = item.current
    if current is None:
        item.obj, item.changed = build(Project, created_by=user, **data), list(data)
        return
    if current.stage == Stage.WITHDRAWN:
        item.refuse(None, _("项目已作为重复统计撤回，不能再修改。"))
        return
    obj = _copy(current)
    item.changed = [n for n in data if _value(obj, n) != _id(data[n])]
    if not item.changed:
        item.action = "unchanged"
        return
    for name in item.changed:
        setattr(obj, name, data[name])
    item.obj = obj


def _refuse_withdrawn_stage(item: BulkItem) -> None:
    if item.obj.stage == Stage.WITHDRAWN and (
        item.current is None or item.current.stage != item.obj.stage
    ):
        item.refuse("stage", _("“已撤回”只能由商务局在处理重复统计时设定。"))


def _refuse_stage_back(live: list[BulkItem]) -> None:
    """A stage does not move back below 签约 while verified money exists (one query)."""
    back = [
        i
        for i in live
        if i.current is not None
        and i.obj.stage in UNSIGNED_STAGES
        and i.current.stage not in UNSIGNED_STAGES
    ]
    if not back:
        return
    with_money = set(
        Inflow.objects.filter(
            project_id__in=[i.obj.pk for i in back], status=InflowStatus.VERIFIED
        ).values_list("project_id", flat=True)
    )
    for item in back:
        if item.obj.pk in with_money:
            item.refuse(
                "stage",
                _(
                    "项目已有已核实的到位资金，阶段不能退回到“%(stage)s”；"
                    "如确需退回，请先由商务局作废这些资金。"
                )
                % {"stage": item.obj.get_stage_display()},
            )


def _flag_project_slips(live: list[BulkItem]) -> None:
    judged = [i for i in live if i.current is None or "contract_amount" in i.changed]
    for item, reason in zip(judged, project_slip_reasons([i.obj for i in judged]), strict=True):
        if reason:
            item.slip = reason
            item.warnings.append(("contract_amount", reason))


def _flag_duplicates(live: list[BulkItem]) -> None:
    compared = [i for i in live if i.current is None or DUPLICATE_KEYS & set(i.changed)]
    for item, found in zip(compared, duplicate_matches([i.obj for i in compared]), strict=True):
        if found:
            item.matches = [pk for pk in found if pk > 0]
            item.obj.duplicate_flagged = True
            item.warnings.append(_duplicate_warning(item.obj))
            if "duplicate_flagged" not in item.changed:
                item.changed.append("duplicate_flagged")


def _prepare_projects(items: list[BulkItem], *, user) -> None:
    """Build each project, validate it and apply the rules; nothing is written."""
    for item in items:
        _build_project(item, user)
        if item.obj is not None:
            _refuse_withdrawn_stage(item)
            _validate(item, ("unit", "event", "created_by"))
    _refuse_stage_back([i for i in items if i.ok])
    live = [i for i in items if i.ok]
    _flag_project_slips(live)
    _flag_duplicates(live)


def _inflow_unchanged(item: BulkItem, data: dict, wanted, resubmit: bool) -> bool:
    current = item.current
    same = all(_value(current, n) == _id(v) for n, v in data.items())
    # The unit's save of a returned inflow resubmits it, changed or not.
    resubmitted = resubmit and current.status == InflowStatus.RETURNED
    return same and (not wanted or wanted == current.status) and not resubmitted


def _inflow_edit_refusal(current: Inflow, wanted, may_verify: bool) -> tuple[str, str] | None:
    """Who may change stored money: never a voided one; a verified one only the bureau."""
    if current.status == InflowStatus.VOIDED:
        return "voucher_no", _("这笔到位资金已作废，不能修改；请重新登记。")
    if current.status == InflowStatus.VERIFIED and not may_verify:
        return "amount", _("这笔到位资金已核实，只有商务局可以更正。")
    if current.status == InflowStatus.VERIFIED and wanted == InflowStatus.PENDING:
        return "status", _("已核实的到位资金不能改回待核实。")
    return None


def _build_inflow(item: BulkItem, user, *, may_verify: bool, resubmit: bool, now) -> None:
    """The inflow as it would be saved (``item.obj``), or why not; "unchanged" when the
    row changes nothing. ``data``'s status: "verified" to verify on the way in."""
    data = dict(item.data)
    wanted = data.pop("status", None)
    project, current = data["project"], item.current
    if current is None:
        refusal = money_refusal(project, new=True)
        obj = build(Inflow, created_by=user, status=InflowStatus.PENDING, **data)
        item.changed = list(data)
    else:
        if _inflow_unchanged(item, data, wanted, resubmit):
            item.action = "unchanged"
            return
        edit = _inflow_edit_refusal(current, wanted, may_verify)
        if edit:
            item.refuse(*edit)
            return
        refusal = money_refusal(project, new=False)
        obj = _copy(current)
        item.changed = [n for n, v in data.items() if _value(current, n) != _id(v)]
        for name in item.changed:
            setattr(obj, name, data[name])
        if current.status == InflowStatus.RETURNED:
            obj.status = InflowStatus.PENDING  # fixed and resubmitted
    if refusal:
        item.refuse("project", refusal)
        return
    _keep_evidence_name(obj)
    if wanted == InflowStatus.VERIFIED and obj.status != InflowStatus.VERIFIED:
        if not may_verify:
            item.refuse("status", _("只有商务局可以导入“已核实”的到位资金"))
            return
        obj.status = InflowStatus.VERIFIED
        obj.verified_by, obj.verified_at, obj.return_reason = user, now, ""
    item.obj = obj


def _keep_evidence_name(obj: Inflow) -> None:
    """A new upload keeps its own name for the downloads (the storage may rename it)."""
    if obj.__dict__.get("evidence", 0) in ("", None) or not obj.evidence:
        # (no file: the stored empty name is read as it is, without making a FieldFile)
        obj.original_name = ""
    elif not obj.evidence._committed:  # a file not stored yet: the one just uploaded
        obj.original_name = obj.evidence.name.replace("\\", "/").rsplit("/", 1)[-1][:200]


def _refuse_taken_vouchers(
    live: list[BulkItem],
    being_written: set[str] = frozenset(),
    lookups: BatchLookups | None = None,
) -> None:
    """A 凭证号 counts once in the district (one query for the batch). ``being_written``:
    the 凭证号 of new inflows an import's writer may still be sending (common.bulk.Writer),
    taken whether the query saw them or not: a claimed 凭证号 differs from the one its own
    record holds, so such a holder is always another record, as a stored one would be.
    ``lookups``: the batch's 凭证号 asked earlier (see BatchLookups)."""
    claimed = [i for i in live if i.current is None or "voucher_no" in i.changed]
    taken = (lookups or BatchLookups()).vouchers_taken({i.obj.voucher_no for i in claimed})
    in_batch: dict[str, BulkItem] = {}
    for item in claimed:
        voucher = item.obj.voucher_no
        holders = taken.get(voucher, set()) - {item.obj.pk}
        if holders or voucher in being_written or voucher in in_batch:
            item.refuse(
                "voucher_no",
                _(
                    "凭证号“%(v)s”已登记过，同一凭证号在全区只能登记一次；"
                    "请核对凭证号，如确有错误请联系商务局。"
                )
                % {"v": voucher},
            )
        else:
            in_batch[voucher] = item


def _flag_inflow_slips(live: list[BulkItem], kept: dict | None = None) -> None:
    judged = [i for i in live if i.current is None or {"amount", "arrived_on"} & set(i.changed)]
    reasons = inflow_slip_reasons([i.obj for i in judged], kept)
    for item, reason in zip(judged, reasons, strict=True):
        item.obj.amount_flagged = bool(reason)
        item.obj.amount_flag_reason = reason[:300]
        if reason:
            item.slip = reason
            item.warnings.append(("amount", reason))


def _prepare_inflows(
    items: list[BulkItem],
    *,
    user,
    may_verify: bool = False,
    resubmit: bool = False,
    being_written: set[str] = frozenset(),
    lookups: BatchLookups | None = None,
) -> None:
    """Build each inflow, validate it and apply the rules; nothing is written.

    ``data`` holds project, arrived_on, amount, voucher_no (evidence optional) and, from the
    import, status: "verified" to verify on the way in (the commerce bureau only).
    ``being_written``: see :func:`_refuse_taken_vouchers`; ``lookups``: BatchLookups.
    """
    now = timezone.now()
    for item in items:
        _build_inflow(item, user, may_verify=may_verify, resubmit=resubmit, now=now)
        if item.obj is not None:
            _validate(item, ("project", "created_by", "verified_by"))
    _refuse_taken_vouchers([i for i in items if i.ok], being_written, lookups)
    _flag_inflow_slips([i for i in items if i.ok], lookups.yardsticks if lookups else None)


def _raise_for(item: BulkItem, *, confirm_large: bool | None, slip_field: str) -> None:
    """A single record: refuse with every error. A slip is refused while a form's "我已核对金额"
    is unticked (``confirm_large=False``); callers without a form (commands, the demo: None)
    save it flagged, as the import does. Either way the flag stays for the verifier."""
    if item.errors:
        raise item.as_error()
    if item.slip and confirm_large is False:
        hint = _("如确认无误，请勾选“我已核对金额”后再保存。")
        raise LikelySlipError({slip_field: "%s%s" % (item.slip, hint)})


# --- promotion events ------------------------------------------------------------------


@transaction.atomic
def event_save(*, event: PromotionEvent | None = None, name: str, held_on, place: str = ""):
    event = event or PromotionEvent()
    event.name, event.held_on, event.place = name.strip(), held_on, place.strip()
    event.full_clean()
    event.save()
    return event


# --- projects --------------------------------------------------------------------------


def _flag_counterparts(ids: set[int], user, reason: str) -> None:
    """Another unit's project that matches a new one is flagged too (the bureau sees both)."""
    if not ids:
        return
    others = list(Project.objects.filter(pk__in=ids, duplicate_flagged=False))
    if not others:
        return
    for other in others:  # the flag counts nothing: the rollup stays as it is
        other.duplicate_flagged = True
    bulk_update_with_history(
        others,
        Project,
        fields=["duplicate_flagged"],
        default_user=user,
        default_change_reason=_("疑似重复统计：%(why)s") % {"why": reason or _("其他单位登记")},
    )


@transaction.atomic
def project_create(
    *, user, data: dict, confirm_large: bool | None = None, reason: str = ""
) -> Project:
    """Register a project; its first stage enters the stage log."""
    require(user, "projects.create_project")
    item = BulkItem(data=data)
    _prepare_projects([item], user=user)
    _raise_for(item, confirm_large=confirm_large, slip_field="contract_amount")
    project = item.obj
    stamp(project, user, reason)
    with track(lambda ctx: project_with_inflows(project, ctx)):
        project.save()
    StageChange.objects.create(
        project=project, from_stage="", to_stage=project.stage, changed_by=user, note=reason
    )
    _flag_counterparts(set(item.matches), user, project.code)
    return project


@transaction.atomic
def project_update(
    *, project: Project, user, data: dict, confirm_large: bool | None = None, reason: str = ""
) -> list[str]:
    """Apply changes; a stage change is logged with who and when. Returns the changed fields."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    require(user, "projects.edit_project", current)
    item = BulkItem(data=data, current=current)
    _prepare_projects([item], user=user)
    if item.action == "unchanged":
        return []
    _require_reason_for_stage_dates(current, item.obj, reason)
    _raise_for(item, confirm_large=confirm_large, slip_field="contract_amount")
    # project_with_inflows reads the stored project before the save (track's first call).
    with track(lambda ctx: project_with_inflows(Project.objects.get(pk=current.pk), ctx)):
        stamp(item.obj, user, reason)
        item.obj.save()
    if item.obj.stage != current.stage:
        StageChange.objects.create(
            project=item.obj,
            from_stage=current.stage,
            to_stage=item.obj.stage,
            changed_by=user,
            note=reason,
        )
    _flag_counterparts(set(item.matches), user, item.obj.code)
    return item.changed


STAGE_DATES = ("started_on", "produced_on")


def _require_reason_for_stage_dates(current: Project, changed: Project, reason: str) -> None:
    """A recorded 开工/投产日期 decides the tax reward's years: changing it needs a reason,
    which the history keeps (entering a date for the first time needs none)."""
    if (reason or "").strip():
        return
    errors = {
        name: _("%(field)s已登记为 %(d)s；修改它必须写明原因。")
        % {
            "field": Project._meta.get_field(name).verbose_name,
            "d": getattr(current, name).isoformat(),
        }
        for name in STAGE_DATES
        if getattr(current, name) is not None and getattr(changed, name) != getattr(current, name)
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def duplicate_withdraw(*, project: Project, user, reason: str) -> Project:
    """The commerce bureau resolves a 重复统计: this unit's project stops counting.

    Its money is voided with the reason (which frees the 凭证号 for the unit that keeps the
    project); the project stays, at 已撤回, with the reason in its history and stage log.
    """
    require(user, "projects.resolve_duplicates")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤回重复统计的项目必须写明原因。")})
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.stage == Stage.WITHDRAWN:
        raise ValidationError(_("项目已经撤回。"))
    old_stage = project.stage
    note = _("重复统计撤回：%(reason)s") % {"reason": reason}
    with track(lambda ctx: project_with_inflows(project, ctx)):
        for inflow in project.inflows.exclude(status=InflowStatus.VOIDED):
            inflow.status = InflowStatus.VOIDED
            inflow.void_reason = note[:300]
            stamp(inflow, user, note)
            inflow.save()
        project.stage = Stage.WITHDRAWN
        project.withdrawn_reason = reason[:300]
        project.duplicate_flagged = False
        stamp(project, user, note)
        project.save()
    StageChange.objects.create(
        project=project, from_stage=old_stage, to_stage=project.stage, changed_by=user, note=note
    )
    _clear_settled_flags(project, user)
    return project


def _clear_settled_flags(withdrawn: Project, user) -> None:
    """A flagged project whose every match is now withdrawn is no longer a duplicate."""
    others = list(
        Project.objects.filter(duplicate_flagged=True).filter(
            Q(investor_credit_code=withdrawn.investor_credit_code)
            if withdrawn.investor_credit_code
            else Q(investor=withdrawn.investor, name=withdrawn.name)
        )
    )
    settled = [
        other for other, found in zip(others, duplicate_matches(others), strict=True) if not found
    ]
    for other in settled:
        other.duplicate_flagged = False
    if settled:
        bulk_update_with_history(
            settled,
            Project,
            fields=["duplicate_flagged"],
            default_user=user,
            default_change_reason=_("重复统计已处理：%(code)s 已撤回") % {"code": withdrawn.code},
        )


@transaction.atomic
def duplicate_keep(*, project: Project, user, reason: str = "") -> Project:
    """The commerce bureau checked a 重复统计 flag: this project stays and counts."""
    require(user, "projects.resolve_duplicates")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project.duplicate_flagged:
        raise ValidationError(_("这个项目没有待处理的重复统计标记。"))
    project.duplicate_flagged = False
    stamp(project, user, _("重复统计核查：保留。%(reason)s") % {"reason": (reason or "").strip()})
    project.save(update_fields=["duplicate_flagged", "updated_at"])
    return project


# --- inflows ---------------------------------------------------------------------------


def _locked(inflow: Inflow) -> Inflow:
    """Re-read the inflow under a row lock, so that two clicks cannot both act on it."""
    return Inflow.objects.select_for_update().select_related("project").get(pk=inflow.pk)


@transaction.atomic
def inflow_create(
    *, user, project: Project, data: dict, confirm_large: bool | None = None, reason: str = ""
) -> Inflow:
    """Log money that arrived; it waits for the commerce bureau's verification."""
    require(user, "projects.record_inflow", project)
    item = BulkItem(data={**data, "project": project})
    _prepare_inflows([item], user=user)
    _raise_for(item, confirm_large=confirm_large, slip_field="amount")
    inflow = item.obj
    stamp(inflow, user, reason)
    inflow.save()  # pending: nothing counts yet, so the rollup is untouched
    return inflow


@transaction.atomic
def inflow_update(*, inflow: Inflow, user, data: dict, confirm_large: bool | None = None) -> Inflow:
    """The unit's own edit, allowed while 待核实 or 退回; a returned inflow is resubmitted."""
    current = _locked(inflow)
    if not current.editable_by_unit:
        raise ValidationError(
            _("这笔到位资金的状态是“%(status)s”，不能再修改；如有错误请联系商务局更正。")
            % {"status": current.get_status_display()}
        )
    require(user, "projects.edit_inflow", current)
    item = BulkItem(data={**data, "project": current.project}, current=current)
    _prepare_inflows([item], user=user, resubmit=True)
    if item.action == "unchanged":
        return current
    _raise_for(item, confirm_large=confirm_large, slip_field="amount")
    resubmitted = current.status == InflowStatus.RETURNED
    stamp(item.obj, user, _("修改后重新提交") if resubmitted else "")
    item.obj.save()  # never verified before or after: the rollup is untouched
    return item.obj


@transaction.atomic
def inflow_delete(*, inflow: Inflow, user=None) -> None:
    """Withdraw an inflow that was never verified. Verified money is voided, never deleted."""
    inflow = _locked(inflow)
    if not inflow.editable_by_unit:
        raise ValidationError(_("已核实或已作废的到位资金不能删除；已核实的只能由商务局作废。"))
    require(user, "projects.edit_inflow", inflow)
    if user is not None:
        inflow._history_user = user
    inflow.delete()


def _verify_refusal(inflow: Inflow) -> str:
    """Why this (locked) inflow cannot be verified ("" when it can): the single and the bulk
    verify ask the same question."""
    if inflow.status != InflowStatus.PENDING:
        return _("只有待核实的到位资金可以核实（当前状态：%(status)s）。") % {
            "status": inflow.get_status_display()
        }
    return money_refusal(inflow.project, new=False)


def _mark_verified(inflow: Inflow, user) -> None:
    with track(lambda ctx: inflow_contributions(inflow, inflow.project, ctx)):
        inflow.status = InflowStatus.VERIFIED
        inflow.verified_by = user
        inflow.verified_at = timezone.now()
        inflow.return_reason = ""
        stamp(inflow, user, _("核实"))
        inflow.save()


@transaction.atomic
def inflow_verify(*, inflow: Inflow, user) -> Inflow:
    """The commerce bureau has seen the evidence: the money now counts."""
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.PENDING:
        raise ValidationError(_verify_refusal(inflow))
    require(user, "projects.verify_inflow", inflow)
    refusal = _verify_refusal(inflow)
    if refusal:
        raise ValidationError(refusal)
    _mark_verified(inflow, user)
    return inflow


@transaction.atomic
def inflow_return(*, inflow: Inflow, user, reason: str) -> Inflow:
    """Send an inflow back to its unit with the reason; the unit may fix and resubmit it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须写明原因。")})
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.PENDING:
        raise ValidationError(_return_refusal(inflow))
    require(user, "projects.verify_inflow", inflow)
    _mark_returned(inflow, user, reason)
    return inflow


def _return_refusal(inflow: Inflow) -> str:
    if inflow.status != InflowStatus.PENDING:
        return _("只有待核实的到位资金可以退回（当前状态：%(status)s）。") % {
            "status": inflow.get_status_display()
        }
    return ""


def _mark_returned(inflow: Inflow, user, reason: str) -> None:
    inflow.status = InflowStatus.RETURNED
    inflow.return_reason = reason
    stamp(inflow, user, _("退回：%(reason)s") % {"reason": reason})
    inflow.save()
    _remind_return(inflow, reason)


# --- bulk verify and return (the verification queue) ----------------------------------------

# One action verifies or returns at most a page of the queue.
BULK_VERIFY_MAX = 100


def inflow_flags(inflow: Inflow) -> list[str]:
    """What the verifier must look at before verifying this inflow without opening it: the
    flags the queue and the inflow's page show."""
    flags = []
    if inflow.amount_flagged:
        flags.append(_("金额待核对"))
    if inflow.legacy_voucher_duplicate:
        flags.append(_("凭证号重复（规则前登记）"))
    if inflow.project.duplicate_flagged:
        flags.append(_("疑似重复统计"))
    return flags


def _locked_batch(inflows) -> list[Inflow]:
    ids = sorted({inflow.pk for inflow in inflows})
    if not ids:
        raise ValidationError(_("请先勾选要处理的到位资金。"))
    if len(ids) > BULK_VERIFY_MAX:
        raise ValidationError(
            _("一次最多处理 %(n)s 笔到位资金，请分批操作。") % {"n": BULK_VERIFY_MAX}
        )
    # Locked in one statement, in id order (two verifiers never wait on each other in a cycle).
    return list(
        Inflow.objects.select_for_update()
        .select_related("project")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _require_on_pending(user, inflows: list[Inflow]) -> None:
    """The policy, asked as the single actions ask it: of a pending inflow (one in another
    state is refused with its state, as when acted on alone)."""
    for inflow in inflows:
        if inflow.status == InflowStatus.PENDING:
            require(user, "projects.verify_inflow", inflow)


def _refuse_all(problems: list[tuple[Inflow, str]], message: str) -> None:
    """Refuse the whole batch, naming every voucher that stops it and why."""
    if problems:
        lines = _("；").join(
            _("%(voucher)s：%(why)s") % {"voucher": inflow.voucher_no, "why": why}
            for inflow, why in problems
        )
        raise ValidationError(message % {"lines": lines})


@transaction.atomic
def inflows_verify(*, inflows, user, confirm_flagged: bool = False) -> list[Inflow]:
    """Verify several pending inflows in one action: all of them or none.

    Each one passes the single verify's checks (pending, the verify policy, a project that may
    take money). An inflow carrying a flag (金额待核对, 凭证号重复, 疑似重复统计) also needs
    ``confirm_flagged``: in a bulk action the verifier has not opened its page, so the tick says
    that its evidence was compared. Each inflow gets its own history row, as when verified alone.
    """
    locked = _locked_batch(inflows)
    _require_on_pending(user, locked)
    problems = [(inflow, why) for inflow in locked if (why := _verify_refusal(inflow))]
    if not confirm_flagged:
        problems += [
            (inflow, _("%(flags)s，请勾选“已逐笔对照凭证核对带标记的资金”后再批量核实")
             % {"flags": "、".join(flags)})
            for inflow in locked
            if (flags := inflow_flags(inflow))
        ]  # fmt: skip
    _refuse_all(problems, _("批量核实未执行，一笔也没有核实。请处理后重试：%(lines)s"))
    for inflow in locked:
        _mark_verified(inflow, user)
    return locked


@transaction.atomic
def inflows_return(*, inflows, user, reason: str) -> list[Inflow]:
    """Return several pending inflows to their units with one reason: all of them or none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须写明原因。")})
    locked = _locked_batch(inflows)
    _require_on_pending(user, locked)
    _refuse_all(
        [(i, why) for i in locked if (why := _return_refusal(i))],
        _("批量退回未执行，一笔也没有退回。请处理后重试：%(lines)s"),
    )
    for inflow in locked:
        _mark_returned(inflow, user, reason)
    return locked


def _remind_return(inflow: Inflow, reason: str) -> None:
    """The unit's clerks are told at once; each return of the inflow is a new reminder."""
    returns = inflow.history.filter(status=InflowStatus.RETURNED).count()
    clerks = User.objects.filter(
        role=Role.UNIT_STAFF, is_active=True, unit_id=inflow.project.unit_id
    )
    notify(
        clerks,
        kind="inflow_returned",
        cause=f"inflow_returned:{inflow.pk}:{returns}",
        params={"voucher": inflow.voucher_no, "reason": reason[:100]},
        url=inflow.get_absolute_url(),
    )


@transaction.atomic
def inflow_correct(
    *, inflow: Inflow, user, data: dict, reason: str, confirm_large: bool | None = None
) -> list[str]:
    """The commerce bureau corrects verified money; the history keeps the old values."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正已核实的到位资金必须写明原因。")})
    current = _locked(inflow)
    if current.status != InflowStatus.VERIFIED:
        raise ValidationError(_("只有已核实的到位资金需要更正；其他状态请直接修改。"))
    require(user, "projects.correct_inflow", current)
    item = BulkItem(data={**data, "project": current.project}, current=current)
    _prepare_inflows([item], user=user, may_verify=True)
    if item.action == "unchanged":
        return []
    _raise_for(item, confirm_large=confirm_large, slip_field="amount")
    project = current.project
    with track(lambda ctx: inflow_contributions(Inflow.objects.get(pk=current.pk), project, ctx)):
        stamp(item.obj, user, _("更正：%(reason)s") % {"reason": reason})
        item.obj.save()
    return [name for name in item.changed if name != "project"]


@transaction.atomic
def inflow_void(*, inflow: Inflow, user, reason: str) -> Inflow:
    """Take verified money out of the figures without deleting it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废必须写明原因。")})
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.VERIFIED:
        raise ValidationError(_("只有已核实的到位资金需要作废；未核实的可以直接删除或退回。"))
    require(user, "projects.correct_inflow", inflow)
    with track(lambda ctx: inflow_contributions(inflow, inflow.project, ctx)):
        inflow.status = InflowStatus.VOIDED
        inflow.void_reason = reason
        stamp(inflow, user, _("作废：%(reason)s") % {"reason": reason})
        inflow.save()
    return inflow


# --- bulk (the workbook import) ------------------------------------------------------------


HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
)


def _create_with_history(
    items: list[BulkItem], model, *, user, reason: str, writer: Writer, then, also=None
) -> None:
    """Insert the items' objects (common.bulk.insert's statements, in batches) with their
    history rows, through ``writer`` (in the background on PostgreSQL); each item is marked
    "created" now and holds its id once written. ``also(cursor, ids)``: more rows to write
    for each batch, after all of them (a project's first stage); ``then(objects)``: what
    needs their ids, in this thread once they are written (see common.bulk.Writer)."""
    objs = [i.obj for i in items]
    batches = [objs[start : start + BATCH] for start in range(0, len(objs), BATCH)]
    inserts = [insert_job(model, batch) for batch in batches]
    copy = _history_copy(model, user=user, reason=reason)

    def write(cursor) -> None:
        for batch, send in zip(batches, inserts, strict=True):
            send(cursor)
            copy(cursor, [obj.pk for obj in batch])
        if also is not None:
            for batch in batches:
                also(cursor, [obj.pk for obj in batch])

    for item in items:
        item.action = "created"
    writer.submit(write, records=objs, then=lambda: then(objs))


def _history_copy(model, *, user, reason: str):
    """The "created" history rows of records just inserted, as simple_history's
    bulk_history_create writes them, copied by the database in one INSERT … SELECT instead
    of building and sending a Python object per row (the import's largest cost): a job's
    step, ``copy(cursor, ids)``, built here (it may run in a writer's thread)."""
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if f.name not in HISTORY_FIELDS
    )
    user = user or history.get_default_history_user(None)
    head = (
        "INSERT INTO %s (%s, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT %s, %%s, %%s, '+', %%s FROM %s WHERE id IN "
    ) % (quote(history._meta.db_table), columns, columns, quote(model._meta.db_table))
    user_id = getattr(user, "pk", None)

    def copy(cursor, ids: list[int]) -> None:
        if ids:
            sql = head + "(%s)" % ", ".join(["%s"] * len(ids))
            cursor.execute(sql, [timezone.now(), reason, user_id, *ids])

    return copy


def _first_stages_log(user, reason: str):
    """The stage log's first entry ("" → the stage) of projects just inserted, written by
    the database in one INSERT … SELECT, as :func:`_history_copy` writes their history:
    a job's step, ``log(cursor, ids)``."""
    meta, quote = StageChange._meta, connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("project", "from_stage", "to_stage", "changed_by", "changed_at", "note")
    )
    head = "INSERT INTO %s (%s) SELECT id, '', stage, %%s, %%s, %%s FROM %s WHERE id IN " % (
        quote(meta.db_table),
        columns,
        quote(Project._meta.db_table),
    )
    user_id, note = getattr(user, "pk", None), reason[:200]

    def log(cursor, ids: list[int]) -> None:
        if ids:
            sql = head + "(%s)" % ", ".join(["%s"] * len(ids))
            cursor.execute(sql, [user_id, timezone.now(), note, *ids])

    return log


def project_bulk_save(
    *,
    items: list[BulkItem],
    user,
    reason: str,
    delta: rollups.Delta,
    writer: Writer | None = None,
) -> list[BulkItem]:
    """Validate a batch of projects by the same rules as the form, write the valid ones.

    A slip or a 重复统计 candidate is a warning (the row is saved and stays flagged); every
    other broken rule is an error on the item. Rollup changes are added to ``delta``
    (applied once at the end with :func:`bulk_finish`). ``writer``: the import's
    (common.bulk.Writer), which inserts the new projects while the next batch is read; the
    caller waits for it before the next batch's look-ups (they read these projects: their
    codes, the 重复统计 candidates). Without one, everything is written before returning.
    """
    writer = writer or Writer(background=False)
    _prepare_projects(items, user=user)
    ctx = rollups.Context()
    to_create = [i for i in items if i.ok and i.current is None]
    to_update = [i for i in items if i.ok and i.current is not None]
    if to_create:

        def count(created: list[Project]) -> None:  # saved: they have their ids
            for project in created:
                delta.add(project_contributions(project, ctx))

        _create_with_history(
            to_create,
            Project,
            user=user,
            reason=reason,
            writer=writer,
            then=count,
            also=_first_stages_log(user, reason),
        )
    if to_update or any(i.matches for i in to_create):
        writer.wait()  # this thread's writes come after the inserts, as they always did
    if to_update:
        verified = defaultdict(list)
        for inflow in Inflow.objects.filter(
            project_id__among=[i.obj.pk for i in to_update], status=InflowStatus.VERIFIED
        ).only("id", "status", "arrived_on", "amount", "project_id"):
            verified[inflow.project_id].append(inflow)
        now = timezone.now()
        logs = []
        for item in to_update:
            old, new = item.current, item.obj
            delta.remove(project_contributions(old, ctx))
            delta.add(project_contributions(new, ctx))
            for inflow in verified[new.pk]:
                delta.remove(inflow_contributions(inflow, old, ctx))
                delta.add(inflow_contributions(inflow, new, ctx))
            if old.stage != new.stage:
                logs.append(
                    StageChange(
                        project=new,
                        from_stage=old.stage,
                        to_stage=new.stage,
                        changed_by=user,
                        note=reason,
                    )
                )
            new.updated_at = now
            item.action = "updated"
        bulk_update_with_history(
            [i.obj for i in to_update],
            Project,
            fields=[*PROJECT_WRITABLE, "duplicate_flagged", "updated_at"],
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
        StageChange.objects.bulk_create(logs, batch_size=1000)
    matched = {pk for i in items if i.action in ("created", "updated") for pk in i.matches}
    _flag_counterparts(matched, user, reason)
    return items


def inflow_bulk_save(
    *,
    items: list[BulkItem],
    user,
    reason: str,
    delta: rollups.Delta,
    may_verify: bool,
    writer: Writer | None = None,
    lookups: BatchLookups | None = None,
) -> list[BulkItem]:
    """Validate a batch of inflows by the same rules as the form, write the valid ones
    (see :func:`project_bulk_save`). ``may_verify``: the commerce bureau or the command
    line, who may import money as 已核实. ``writer``: the import's (common.bulk.Writer); the
    caller need not wait for it: the previous batch's new inflows, stored or still on their
    way, hold their 凭证号 here (and the importer counts them as earlier rows).
    ``lookups``: the rules' reads made ahead (BatchLookups)."""
    writer = writer or Writer(background=False)
    being_written = {i.voucher_no for i in writer.in_flight(Inflow)}
    _prepare_inflows(
        items,
        user=user,
        may_verify=may_verify,
        being_written=being_written,
        lookups=lookups,
    )
    ctx = lookups.context if lookups else rollups.Context()
    to_create = [i for i in items if i.ok and i.current is None]
    to_update = [i for i in items if i.ok and i.current is not None]
    if to_create:

        def count(created: list[Inflow]) -> None:  # saved: they have their ids
            for inflow in created:
                delta.add(inflow_contributions(inflow, inflow.project, ctx))

        _create_with_history(to_create, Inflow, user=user, reason=reason, writer=writer, then=count)
    if to_update:
        writer.wait()  # this thread's writes come after the inserts, as they always did
        for item in to_update:
            delta.remove(inflow_contributions(item.current, item.current.project, ctx))
            delta.add(inflow_contributions(item.obj, item.obj.project, ctx))
            item.action = "updated"
        bulk_update_with_history(
            [i.obj for i in to_update],
            Inflow,
            fields=[
                "arrived_on",
                "amount",
                "voucher_no",
                "status",
                "verified_by",
                "verified_at",
                "return_reason",
                "amount_flagged",
                "amount_flag_reason",
            ],
            batch_size=1000,
            default_user=user,
            default_change_reason=reason,
        )
    return items


def bulk_finish(delta: rollups.Delta) -> None:
    """Apply an import's net rollup change, once, at the end, a month at a time, as
    increments written in the database (rollups.apply_bulk: nothing is read first)."""
    by_month: dict[tuple[int, int], list] = defaultdict(list)
    for contribution in delta.after():
        by_month[(contribution.day.year, contribution.day.month)].append(contribution)
    delta.cells.clear()
    ctx = rollups.Context()
    for month in sorted(by_month):
        rollups.apply_bulk([], by_month.pop(month), ctx)
