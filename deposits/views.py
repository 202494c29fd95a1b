from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.permissions import permission_required
from common.xlsx import export_filename, sheet_bytes, table_bytes, xlsx_response
from deposits import selectors, services
from deposits import settlement as arithmetic
from deposits.forms import DepositAmountForm, LetterForm, PaymentForm, ReverseForm, VoidForm
from deposits.models import Deposit, ResponsibilityLetter
from deposits.tables import DepositBoardTable
from targets.services import year_get_or_create


def _year(year: int):
    # The URL's year converter has already refused a year outside the range (404).
    return year_get_or_create(year)


@permission_required("common.use_portal")
def board_current(request: HttpRequest) -> HttpResponse:
    return redirect("deposits:board", year=timezone.localdate().year)


@permission_required("common.use_portal")
def board(request: HttpRequest, year: int) -> HttpResponse:
    """Every owing unit with its payment status; a clerk sees only their own unit."""
    assessment_year = _year(year)
    rows = selectors.board_rows(assessment_year, request.user)
    status = request.GET.get("status", "")
    if status in arithmetic.STATUS_LABELS:
        rows = [row for row in rows if row["status"] == status]
    totals = selectors.board_totals(rows, assessment_year.deposit_amount)
    can_record = request.user.has_perm("deposits.record_deposit") and not assessment_year.settled
    table = DepositBoardTable(rows, can_record=can_record)
    RequestConfig(request, paginate=False).configure(table)
    if request.GET.get("export") == "xlsx":
        title = f"{year}年风险抵押金"
        return xlsx_response(
            export_filename(title), table_bytes(table, title), ascii_name=f"deposits-{year}.xlsx"
        )
    return render(
        request,
        "deposits/board.html",
        {
            "year": assessment_year,
            "table": table,
            "totals": totals,
            "status": status,
            "statuses": arithmetic.STATUS_LABELS,
            "years": range(year - 2, year + 2),
            "voided": selectors.voided_deposits(assessment_year, request.user),
        },
    )


@permission_required("deposits.oversee_deposits")
def overdue(request: HttpRequest, year: int) -> HttpResponse:
    assessment_year = _year(year)
    rows = selectors.board_rows(assessment_year, request.user)
    due, today = assessment_year.deposit_due_date, timezone.localdate()
    unpaid = [r for r in rows if r["status"] == arithmetic.OVERDUE]
    late = [r for r in rows if r["status"] == arithmetic.PAID_LATE]
    # Days past the due date: until today while unpaid, until the payment when paid late.
    for row in unpaid:
        row["days_overdue"] = (today - due).days
    for row in late:
        row["days_overdue"] = (row["paid_on"] - due).days
    return render(
        request,
        "deposits/overdue.html",
        {
            "year": assessment_year,
            "due_passed": today > due,
            "unpaid": unpaid,
            "late": late,
        },
    )


def _owing_unpaid(assessment_year):
    return services.owing_units(assessment_year).exclude(
        pk__in=Deposit.objects.live().filter(year=assessment_year).values("unit_id")
    )


@permission_required("deposits.record_deposit")
def pay(request: HttpRequest, year: int) -> HttpResponse:
    assessment_year = _year(year)
    form = PaymentForm(
        request.POST or None,
        units=_owing_unpaid(assessment_year),
        initial={
            "amount": assessment_year.deposit_amount,
            "paid_on": timezone.localdate(),
            "unit": request.GET.get("unit", ""),  # the board's per-row 登记
        },
    )
    if request.method == "POST" and not form.is_valid() and "unit" in form.errors:
        # Name the real reason when the unit owes nothing or has paid already.
        unit_id = request.POST.get("unit", "")
        if unit_id.isdigit():
            if Deposit.objects.live().filter(year=assessment_year, unit_id=unit_id).exists():
                form.errors["unit"] = form.error_class(
                    [_("该单位本年度的抵押金已经登记过，不能重复缴纳。")]
                )
            elif not services.owing_units(assessment_year).filter(pk=unit_id).exists():
                form.errors["unit"] = form.error_class(
                    [_("该单位 %(y)d 年没有任务，不需要缴纳抵押金。") % {"y": year}]
                )
    if request.method == "POST" and form.is_valid():
        try:
            deposit = services.deposit_record(year=year, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        except IntegrityError:
            form.add_error(None, _("该单位本年度的抵押金已经登记过，不能重复缴纳。"))
        else:
            status = arithmetic.payment_status(
                deposit.paid_on, assessment_year.deposit_due_date, timezone.localdate()
            )
            messages.success(
                request,
                _("已登记 %(u)s 缴纳 %(a)s 元（%(s)s）。收据编号 %(n)s。")
                % {
                    "u": deposit.unit.name,
                    "a": deposit.amount,
                    "s": _(arithmetic.STATUS_LABELS[status]),
                    "n": deposit.receipt_number,
                },
            )
            return redirect("deposits:board", year=year)
    return render(
        request,
        "deposits/form.html",
        {
            "form": form,
            "year": assessment_year,
            "title": _("登记 %(y)d 年风险抵押金缴纳") % {"y": year},
            "multipart": False,
            "locked": assessment_year.settled,
        },
    )


def _deposit_or_404(request: HttpRequest, pk: int) -> Deposit:
    deposit = (
        Deposit.objects.for_user(request.user)
        .select_related("year", "unit", "recorded_by", "voided_by")
        .filter(pk=pk)
        .first()
    )
    if deposit is None:
        raise Http404
    return deposit


@permission_required("common.use_portal")
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable receipt (收据) for one payment; a voided one is marked void."""
    deposit = _deposit_or_404(request, pk)
    return render(
        request,
        "deposits/receipt.html",
        {
            "deposit": deposit,
            "year": deposit.year,
            "district": settings.DISTRICT_NAME,
            "entries": deposit.entries.order_by("created_at", "id"),
        },
    )


class DepositFormView(ServiceFormView):
    """The finance office's forms on a year's deposits: back to the year's board."""

    template_name = "deposits/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.assessment_year, multipart=False, **kwargs)

    def get_success_url(self):
        return reverse("deposits:board", args=[self.assessment_year.year])


class Void(DepositFormView):
    """作废 a wrong payment with a reason; the finance office then records it again."""

    permission_required = "deposits.void_deposit"
    form_class = VoidForm

    def get_object(self):
        deposit = _deposit_or_404(self.request, self.kwargs["pk"])
        self.assessment_year = deposit.year
        return deposit

    def get_title(self):
        deposit = self.object
        return _("作废 %(u)s %(y)d 年的缴纳记录 %(n)s（%(a)s 元）") % {
            "u": deposit.unit.name,
            "y": deposit.year.year,
            "n": deposit.receipt_number,
            "a": deposit.amount,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(danger=True, **kwargs)

    def perform(self, form):
        deposit = self.object
        services.deposit_void(
            deposit=deposit, user=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("已作废 %(u)s 的缴纳记录 %(n)s，台账已记冲销；请重新登记正确的缴纳。") % {
            "u": deposit.unit.name,
            "n": deposit.receipt_number,
        }


class Amount(DepositFormView):
    """The year's deposit amount: fixed once a payment of the year is recorded."""

    permission_required = "deposits.record_deposit"
    form_class = DepositAmountForm
    no_change_message = gettext_lazy("金额没有变化，未做任何修改。")

    def get_object(self):
        self.assessment_year = _year(self.kwargs["year"])

    def get_initial(self):
        return {"deposit_amount": self.assessment_year.deposit_amount}

    def get_title(self):
        return _("%(y)d 年风险抵押金金额") % {"y": self.assessment_year.year}

    def perform(self, form):
        year = self.assessment_year.year
        changed = services.deposit_amount_set(
            year=year,
            amount=form.cleaned_data["deposit_amount"],
            user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        return _("已修改 %(y)d 年的风险抵押金金额。") % {"y": year} if changed else None


class Letter(DepositFormView):
    permission_required = "deposits.record_deposit"
    form_class = LetterForm

    def get_object(self):
        self.assessment_year = _year(self.kwargs["year"])

    def get_form_kwargs(self):
        units = services.owing_units(self.assessment_year).exclude(
            pk__in=ResponsibilityLetter.objects.filter(year=self.assessment_year).values("unit_id")
        )
        return {"units": units}

    def get_title(self):
        return _("登记 %(y)d 年责任状") % {"y": self.assessment_year.year}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "multipart": True}

    def perform(self, form):
        year = self.assessment_year.year
        services.letter_record(year=year, user=self.request.user, **form.cleaned_data)
        return _("已登记责任状。")


void = Void.as_view()
amount = Amount.as_view()
letter = Letter.as_view()


@permission_required("deposits.oversee_deposits")
def settlement(request: HttpRequest, year: int) -> HttpResponse:
    """The preview before confirming, or the recorded settlement and any drift since."""
    assessment_year = _year(year)
    context = {
        "year": assessment_year,
        "reverse_form": ReverseForm(),
        **selectors.settlement_page(assessment_year),
    }
    return render(request, "deposits/settlement.html", context)


@require_POST
@permission_required("deposits.settle_year")
def settlement_confirm(request: HttpRequest, year: int) -> HttpResponse:
    _year(year)
    try:
        settlements, created = services.settle_year(year=year, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(
                request,
                _("%(y)d 年结算已记录：%(n)d 个单位。") % {"y": year, "n": len(settlements)},
            )
        else:
            messages.info(request, _("%(y)d 年已经结算过，本次没有任何改动。") % {"y": year})
    return redirect("deposits:settlement", year=year)


@require_POST
@permission_required("deposits.settle_year")
def settlement_reverse(request: HttpRequest, year: int) -> HttpResponse:
    _year(year)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("冲销结算必须写明原因。"))
        return redirect("deposits:settlement", year=year)
    try:
        count = services.settlement_reverse(
            year=year, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已冲销 %(y)d 年 %(n)d 个单位的结算，可以重新结算。") % {"y": year, "n": count},
        )
    return redirect("deposits:settlement", year=year)


@permission_required("deposits.oversee_deposits")
def settlement_sheet(request: HttpRequest, year: int) -> HttpResponse:
    """The settlement sheet for the treasury: one row per unit, totals, a signature block."""
    assessment_year = _year(year)
    recorded = list(services.live_settlements(assessment_year))
    if not recorded:
        messages.error(request, _("%(y)d 年还没有结算，没有结算单可下载。") % {"y": year})
        return redirect("deposits:settlement", year=year)
    settled_at = timezone.localtime(recorded[0].settled_at)
    title = _("%(district)s%(y)d年度招商引资风险抵押金结算单（结算时间 %(t)s）") % {
        "district": settings.DISTRICT_NAME,
        "y": year,
        "t": settled_at.strftime("%Y-%m-%d %H:%M"),
    }
    content = sheet_bytes(
        _("结算单"),
        selectors.TREASURY_HEADER,
        selectors.treasury_sheet_rows(recorded),
        title=title,
        landscape=True,
    )
    return xlsx_response(
        export_filename(_("%(y)d年风险抵押金结算单") % {"y": year}),
        content,
        ascii_name=f"settlement-{year}.xlsx",
    )
