"""The key-project board, a key project's page, and the forms that change it (each a few
declarative lines over common.editing.ServiceFormView)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from common.editing import ServiceFormView
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import permission_required
from keyprojects import selectors, services
from keyprojects.filters import KeyProjectFilter
from keyprojects.forms import (
    FollowUpForm,
    KeyProjectForm,
    KeyProjectUpdateForm,
    MilestoneDoneForm,
    MilestoneForm,
    PhaseForm,
)
from keyprojects.models import KeyProject, Milestone, Phase
from keyprojects.tables import KeyProjectTable
from projects.selectors import project_for_user


class KeyProjectBoard(ObjectListView):
    """Listed key projects with investment, overdue milestones and the last follow-up;
    filter by level, stage, unit, leader; export to Excel."""

    filterset_class = KeyProjectFilter
    table_class = KeyProjectTable
    template_name = "keyprojects/board.html"
    title = gettext_lazy("重点项目")
    export_name = "key-projects"

    def get_queryset(self):
        today = timezone.localdate()
        return selectors.board_queryset(today).for_user(self.request.user)


@permission_required("common.use_portal")
def key_project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    key_project = selectors.key_project_for_user(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "keyprojects/key_project_detail.html",
        {
            "key_project": key_project,
            "project": key_project.project,
            "today": today,
            "history": history_entries(key_project),
            **selectors.key_project_detail(key_project, today),
        },
    )


class _AskedForTheObject:
    """The role first (403), then the object in the user's scope (404), then the rule for
    this very object (403): a clerk acts only on their own unit's key projects."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        if not request.user.has_perm(self.permission_required, self.object):
            return self.handle_no_permission()
        return View.dispatch(self, request, *args, **kwargs)


class _KeyProjectChild(ServiceFormView):
    """A form under one key project (found in the user's scope first)."""

    template_name = "keyprojects/form.html"

    def get_object(self):
        return selectors.key_project_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(key_project=self.object, **kwargs)


class KeyProjectCreate(ServiceFormView):
    permission_required = "keyprojects.manage_key_projects"
    form_class = KeyProjectForm
    template_name = "keyprojects/form.html"

    def get_object(self):
        return project_for_user(self.request.user, self.kwargs["project_pk"])

    def get_title(self):
        return _("列为重点项目：%(name)s") % {"name": self.object.name}

    def get_initial(self):
        return {"unit": self.object.unit_id}

    def get_context_data(self, **kwargs):
        return super().get_context_data(back=self.object.get_absolute_url(), **kwargs)

    def perform(self, form):
        project = self.object
        self.object = services.key_project_create(
            user=self.request.user, project=project, **form.cleaned_data
        )
        return _("已将 %(name)s 列为重点项目。") % {"name": project.name}


class KeyProjectUpdate(_KeyProjectChild):
    permission_required = "keyprojects.manage_key_projects"
    form_class = KeyProjectUpdateForm

    def get_title(self):
        return _("编辑重点项目：%(name)s") % {"name": self.object.project.name}

    def get_form_kwargs(self):
        return {"instance": KeyProject.objects.get(pk=self.object.pk)}

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        if services.key_project_update(
            user=self.request.user, key_project=self.object, data=data, reason=reason
        ):
            return _("已保存重点项目 %(name)s。") % {"name": self.object.project.name}
        return None


class PhaseCreate(_KeyProjectChild):
    permission_required = "keyprojects.manage_key_projects"
    form_class = PhaseForm

    def get_title(self):
        return _("新增分期：%(name)s") % {"name": self.object.project.name}

    def get_initial(self):
        number = self.object.phases.count() + 1
        return {"number": number}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        phase = services.phase_create(user=self.request.user, key_project=self.object, data=data)
        return _("已新增 %(phase)s。") % {"phase": phase.name}


class PhaseUpdate(ServiceFormView):
    permission_required = "keyprojects.manage_key_projects"
    form_class = PhaseForm
    template_name = "keyprojects/form.html"

    def get_object(self):
        return selectors.phase_for_user(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return _("编辑分期：%(name)s") % {"name": self.object}

    def get_form_kwargs(self):
        return {"instance": Phase.objects.get(pk=self.object.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(key_project=self.object.key_project, **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        if services.phase_update(
            user=self.request.user, phase=self.object, data=data, reason=reason
        ):
            return _("已保存 %(phase)s。") % {"phase": self.object.name}
        return None


class MilestoneCreate(_KeyProjectChild):
    permission_required = "keyprojects.manage_key_projects"
    form_class = MilestoneForm

    def get_title(self):
        return _("新增节点：%(name)s") % {"name": self.object.project.name}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        milestone = services.milestone_create(
            user=self.request.user, key_project=self.object, data=data
        )
        return _("已新增节点 %(m)s。") % {"m": milestone.label}


class _MilestoneView(ServiceFormView):
    template_name = "keyprojects/form.html"

    def get_object(self):
        return selectors.milestone_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(key_project=self.object.key_project, **kwargs)


class MilestoneUpdate(_MilestoneView):
    permission_required = "keyprojects.manage_key_projects"
    form_class = MilestoneForm

    def get_title(self):
        return _("编辑节点：%(m)s") % {"m": self.object}

    def get_form_kwargs(self):
        return {"instance": Milestone.objects.get(pk=self.object.pk)}

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        if services.milestone_update(
            user=self.request.user, milestone=self.object, data=data, reason=reason
        ):
            return _("已保存节点 %(m)s。") % {"m": self.object.label}
        return None


class MilestoneDone(_AskedForTheObject, _MilestoneView):
    """The responsible unit's clerk (or the bureau) marks a milestone done, or undoes it."""

    permission_required = "keyprojects.complete_milestone"
    form_class = MilestoneDoneForm

    def get_title(self):
        return _("确认节点完成：%(m)s") % {"m": self.object}

    def get_initial(self):
        return {"done_on": self.object.done_on or timezone.localdate()}

    def perform(self, form):
        done_on = form.cleaned_data["done_on"]
        services.milestone_complete(user=self.request.user, milestone=self.object, done_on=done_on)
        if done_on:
            return _("已确认节点 %(m)s 于 %(d)s 完成。") % {
                "m": self.object.label,
                "d": done_on.isoformat(),
            }
        return _("已撤销节点 %(m)s 的完成标记。") % {"m": self.object.label}


class FollowUpCreate(_AskedForTheObject, _KeyProjectChild):
    """A follow-up entry, by the responsible unit's clerk or the bureau."""

    permission_required = "keyprojects.log_follow_up"
    form_class = FollowUpForm

    def get_title(self):
        return _("填写跟踪记录：%(name)s") % {"name": self.object.project.name}

    def get_initial(self):
        return {"happened_on": timezone.localdate()}

    def perform(self, form):
        services.follow_up_add(user=self.request.user, key_project=self.object, **form.cleaned_data)
        return _("已记录跟踪情况。")


board = KeyProjectBoard.as_view()
create = KeyProjectCreate.as_view()
update = KeyProjectUpdate.as_view()
phase_create = PhaseCreate.as_view()
phase_update = PhaseUpdate.as_view()
milestone_create = MilestoneCreate.as_view()
milestone_update = MilestoneUpdate.as_view()
milestone_done = MilestoneDone.as_view()
follow_up_create = FollowUpCreate.as_view()
