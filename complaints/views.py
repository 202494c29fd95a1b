"""Pages of 外商投诉: the list (with export), the detail with its timeline, one form page per
transition, the statistics and the holiday calendar."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import View
from openpyxl import Workbook

from common.downloads import upload_response
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.listing import ObjectListView
from common.models import CalendarDay
from common.permissions import permission_required
from common.rounding import shown_percent
from common.xlsx import export_filename, write_sheet, xlsx_response
from complaints import services
from complaints.filters import ComplaintFilter
from complaints.forms import (
    AssignForm,
    CalendarDayForm,
    CloseForm,
    ComplaintForm,
    FollowUpForm,
    ReplyForm,
)
from complaints.models import Complaint, Reply
from complaints.selectors import complaint_for_user, complaint_stats, timeline
from complaints.tables import ComplaintContactTable, ComplaintTable


class ComplaintListView(ObjectListView):
    queryset = Complaint.objects.select_related("unit")
    filterset_class = ComplaintFilter
    template_name = "complaints/complaint_list.html"
    title = gettext_lazy("外商投诉")
    export_name = "complaints"
    add_url_name = "complaints:create"
    add_permission = "complaints.receive"

    def get_table_class(self):
        # Only the commerce bureau sees (and exports) the complainant's contact details.
        if self.request.user.has_perm("complaints.view_contact"):
            return ComplaintContactTable
        return ComplaintTable


@permission_required("common.use_portal")
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_user(request.user, pk)
    context = {
        "complaint": complaint,
        "events": timeline(complaint),
        "replies": list(complaint.replies.select_related("unit", "by")),
        "followups": list(complaint.followups.select_related("by")),
        "actions": services.allowed_actions(complaint),
        "today": timezone.localdate(),
    }
    return render(request, "complaints/complaint_detail.html", context)


@permission_required("common.use_portal")
def reply_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A reply's scan, served through the portal and scoped like its complaint."""
    reply = get_object_or_404(
        Reply.objects.filter(complaint__in=Complaint.objects.for_user(request.user)), pk=pk
    )
    return upload_response(reply.attachment, reply.attachment_name)


# --- the transitions -------------------------------------------------------------------------


class ComplaintCreate(ServiceFormView):
    permission_required = "complaints.receive"
    form_class = ComplaintForm
    template_name = "complaints/complaint_form.html"
    title = gettext_lazy("受理外商投诉")

    def get_initial(self):
        return {"received_on": timezone.localdate()}

    def perform(self, form):
        self.object = services.complaint_receive(user=self.request.user, data=form.cleaned_data)
        return _("已受理，编号 %(n)s。请交办责任单位。") % {"n": self.object.number}


class TransitionView(ServiceFormView):
    """A form page for one transition of a complaint in the user's scope; a complaint whose
    state does not allow it sends the user back to its page with the reason."""

    action = ""
    template_name = "complaints/transition_form.html"

    def get_object(self):
        return complaint_for_user(self.request.user, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        if not request.user.has_perm(self.permission_required, self.object):
            raise Http404  # e.g. a clerk's own role, another unit's complaint
        if self.action not in services.allowed_actions(self.object):
            messages.warning(
                request,
                _("投诉当前状态为“%(s)s”，不能%(a)s。")
                % {
                    "s": self.object.get_state_display(),
                    "a": services.ACTION_LABELS[self.action],
                },
            )
            return redirect(self.object.get_absolute_url())
        return View.dispatch(self, request, *args, **kwargs)  # the rule is asked already

    def get_title(self):
        return f"{services.ACTION_LABELS[self.action]} · {self.object.number}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            deadline_days=settings.COMPLAINT_DEADLINE_WORKING_DAYS, **kwargs
        )


class ComplaintAssign(TransitionView):
    permission_required = "complaints.assign"
    action = "assign"
    form_class = AssignForm

    def get_initial(self):
        return {"assigned_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        complaint = services.complaint_assign(
            complaint=self.object,
            user=self.request.user,
            unit=data["unit"],
            assigned_on=data["assigned_on"],
            note=data["note"],
        )
        return _("已交办 %(u)s，办理期限 %(d)s。") % {
            "u": complaint.unit.name,
            "d": complaint.deadline.isoformat(),
        }


class ComplaintReply(TransitionView):
    permission_required = "complaints.reply"
    action = "reply"
    form_class = ReplyForm

    def perform(self, form):
        services.complaint_reply(
            complaint=self.object,
            user=self.request.user,
            text=form.cleaned_data["text"],
            attachment=form.cleaned_data.get("attachment") or None,
        )
        return _("已提交答复，等待商务局办结。")


class ComplaintClose(TransitionView):
    permission_required = "complaints.close"
    action = "close"
    form_class = CloseForm

    def get_initial(self):
        return {"closed_on": timezone.localdate()}

    def perform(self, form):
        services.complaint_close(
            complaint=self.object,
            user=self.request.user,
            note=form.cleaned_data["note"],
            closed_on=form.cleaned_data["closed_on"],
        )
        return _("已办结，请回访投诉人。")


class ComplaintFollowUp(TransitionView):
    permission_required = "complaints.follow_up"
    action = "follow_up"
    form_class = FollowUpForm

    def get_initial(self):
        return {"visited_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        services.complaint_follow_up(
            complaint=self.object,
            user=self.request.user,
            visited_on=data["visited_on"],
            satisfied=data["satisfied"],
            note=data["note"],
        )
        if data["satisfied"]:
            return _("已回访，投诉人满意，投诉办结。")
        return _("已回访，投诉人不满意，已重新交办 %(u)s，新的办理期限 %(d)s。") % {
            "u": self.object.unit.name,
            "d": Complaint.objects.get(pk=self.object.pk).deadline.isoformat(),
        }


complaint_create = ComplaintCreate.as_view()
complaint_assign = ComplaintAssign.as_view()
complaint_reply = ComplaintReply.as_view()
complaint_close = ComplaintClose.as_view()
complaint_follow_up = ComplaintFollowUp.as_view()


# --- statistics ------------------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


STATS_HEADERS = (
    gettext_lazy("受理件数"),
    gettext_lazy("办结件数"),
    gettext_lazy("按期办结件数"),
    gettext_lazy("按期办结率"),
    gettext_lazy("回访件数"),
    gettext_lazy("满意件数"),
    gettext_lazy("满意率"),
    gettext_lazy("未办结件数"),
    gettext_lazy("超期件数"),
)


def _figures(row) -> list:
    def rate(value):
        return f"{shown_percent(value)}%" if value is not None else ""

    return [
        row.received,
        row.closed,
        row.on_time,
        rate(row.on_time_rate),
        row.visited,
        row.satisfied,
        rate(row.satisfaction_rate),
        row.open,
        row.overdue,
    ]


def _stats_export(stats: dict) -> HttpResponse:
    year = stats["year"]
    headers = [str(h) for h in STATS_HEADERS]
    workbook = Workbook(write_only=True)
    unit_rows = [[row.label or _("未交办"), *_figures(row)] for row in stats["units"]]
    unit_rows.append([_("合计"), *_figures(stats["total"])])
    write_sheet(workbook, _("按单位"), [_("责任单位"), *headers], unit_rows)
    month_rows = [[_("%(m)s月") % {"m": row.label}, *_figures(row)] for row in stats["months"]]
    write_sheet(workbook, _("按月份"), [_("受理月份"), *headers], month_rows)
    title = _("外商投诉统计 %(y)s 年") % {"y": year}
    return xlsx_response(
        export_filename(title),
        workbook,
        ascii_name=export_filename("complaint-stats", year),
    )


@permission_required("complaints.view_stats")
def complaint_statistics(request: HttpRequest) -> HttpResponse:
    """Received, closed, closed on time and satisfaction, per unit and per month."""
    stats = complaint_stats(request.user, _year(request))
    if request.GET.get("export") == "xlsx":
        return _stats_export(stats)
    return render(request, "complaints/statistics.html", {"stats": stats, "year": stats["year"]})


# --- the holiday calendar --------------------------------------------------------------------


@permission_required("complaints.manage_calendar")
def calendar(request: HttpRequest) -> HttpResponse:
    """The listed holidays and make-up days that working days follow; add or change one."""
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.calendar_day_save(user=request.user, **data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("已保存 %(d)s。") % {"d": data["date"].isoformat()})
            return redirect("complaints:calendar")
    days = CalendarDay.objects.all()
    return render(request, "complaints/calendar.html", {"form": form, "days": days})


@require_POST
@permission_required("complaints.manage_calendar")
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarDay, pk=pk)
    services.calendar_day_delete(user=request.user, day=day)
    messages.success(request, _("已删除 %(d)s。") % {"d": day.date.isoformat()})
    return redirect("complaints:calendar")


@require_POST
@permission_required("complaints.manage_calendar")
def calendar_load(request: HttpRequest) -> HttpResponse:
    added = services.calendar_load_2026(user=request.user)
    messages.success(request, _("已载入 2026 年节假日安排，新增 %(n)s 天。") % {"n": added})
    return redirect(reverse("complaints:calendar"))
