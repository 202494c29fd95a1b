"""督办单 pages: the list (filters, export), one 督办单 with its replies and the actions
its reader may take, opening one (commerce bureau)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.downloads import upload_response
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import has_rule, permission_required
from followup import services
from followup.filters import SupervisionFilter
from followup.forms import ReplyForm, ReturnForm, SupervisionForm
from followup.models import Reply, Supervision
from followup.tables import SupervisionTable


def _scoped(request: HttpRequest, pk: int) -> Supervision:
    return get_object_or_404(
        Supervision.objects.for_user(request.user).select_related("unit"), pk=pk
    )


class SupervisionListView(ObjectListView):
    permission_required = "followup.read"
    queryset = Supervision.objects.select_related("unit")
    filterset_class = SupervisionFilter
    table_class = SupervisionTable
    title = gettext_lazy("督办单")
    export_name = "supervisions"
    add_url_name = "followup:create"
    add_permission = "followup.open"


class SupervisionCreate(ServiceFormView):
    permission_required = "followup.open"
    form_class = SupervisionForm
    template_name = "followup/form.html"
    title = gettext_lazy("开具督办单")

    def get_initial(self):
        unit = self.request.GET.get("unit")
        return {"unit": unit} if unit and unit.isdigit() else None

    def perform(self, form):
        data = form.cleaned_data
        self.object = services.supervision_open(
            user=self.request.user,
            unit=data["unit"],
            matter=data["matter"],
            deadline=data["deadline"],
            projects=data["project_codes"],
            indicators=data["indicators"],
        )
        return _("已向 %(unit)s 开具 %(number)s。") % {
            "unit": self.object.unit.name,
            "number": self.object.number,
        }


@permission_required("followup.read")
def supervision_detail(request: HttpRequest, pk: int, reply_form=None, return_form=None):
    supervision = _scoped(request, pk)
    user = request.user
    context = {
        "supervision": supervision,
        "overdue": supervision.is_overdue(timezone.localdate()),
        "replies": supervision.replies.select_related("replied_by"),
        "projects": supervision.projects.select_related("unit"),
        "indicators": supervision.indicators.order_by("display_order"),
        "history": history_entries(supervision),
        "may_reply": has_rule(user, "followup.reply", supervision),
        "may_review": has_rule(user, "followup.review", supervision),
        "reply_form": reply_form or ReplyForm(),
        "return_form": return_form or ReturnForm(),
    }
    return render(request, "followup/detail.html", context)


@require_POST
@permission_required("followup.reply")  # the role first: 403 before any lookup
def supervision_reply(request: HttpRequest, pk: int) -> HttpResponse:
    supervision = _scoped(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.supervision_reply(
                user=request.user,
                supervision=supervision,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # not the form's fault: the state changed
                messages.error(request, "；".join(error.messages))
                return redirect(supervision.get_absolute_url())
            add_validation_error(form, error)
        else:
            messages.success(request, _("已回复 %(n)s。") % {"n": supervision.number})
            return redirect(supervision.get_absolute_url())
    return supervision_detail(request, pk, reply_form=form)


@require_POST
@permission_required("followup.review")
def supervision_close(request: HttpRequest, pk: int) -> HttpResponse:
    supervision = _scoped(request, pk)
    try:
        services.supervision_close(user=request.user, supervision=supervision)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("%(n)s 已办结。") % {"n": supervision.number})
    return redirect(supervision.get_absolute_url())


@require_POST
@permission_required("followup.review")
def supervision_return(request: HttpRequest, pk: int) -> HttpResponse:
    supervision = _scoped(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_return(
                user=request.user, supervision=supervision, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, "；".join(error.messages))
                return redirect(supervision.get_absolute_url())
            add_validation_error(form, error)
        else:
            messages.success(request, _("%(n)s 已退回单位重办。") % {"n": supervision.number})
            return redirect(supervision.get_absolute_url())
    return supervision_detail(request, pk, return_form=form)


@permission_required("followup.read")
def reply_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A reply's attachment, through the portal and scoped like its 督办单."""
    reply = get_object_or_404(
        Reply.objects.filter(
            supervision__in=Supervision.objects.for_user(request.user).values("pk")
        ),
        pk=pk,
    )
    return upload_response(reply.attachment, reply.original_name)
