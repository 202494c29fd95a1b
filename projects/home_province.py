"""Changing a year's home province (本省), which changes what counts as 境内省外资金.

A projects service (STYLE.md: changing the home province recounts, and rebuilding the rollup
from the records is projects' job), kept in its own module beside projects/services.py. The
year's settings themselves live in targets, which knows nothing of projects: the Django admin
of the year shows the home province read-only and links here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.forms import add_validation_error
from common.origins import PROVINCE_SET, PROVINCES
from common.permissions import role_required
from common.roles import Role
from common.services import stamp
from projects.counting import rebuild
from targets.models import MAX_YEAR, MIN_YEAR, AssessmentYear
from targets.selectors import year_settings
from targets.services import year_get_or_create


@transaction.atomic
def year_home_province_set(*, year: int, province: str, user, reason: str) -> AssessmentYear:
    """Set the home province of ``year`` and recount that year's figures in the same
    transaction, under the year's row lock (the rollup equals a rebuild when it commits).

    Unchanged: nothing is written. Refused: a name that is not a province-level division, a
    missing reason, a settled year (its figures decided the deposits).
    """
    if province not in PROVINCE_SET:
        raise ValidationError(
            _("“%(p)s”不是省级行政区名称，请从列表中选择本省。") % {"p": str(province)[:20]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写修改本省的原因。"))
    assessment_year = AssessmentYear.objects.select_for_update().get(pk=year_get_or_create(year).pk)
    if assessment_year.home_province == province:
        return assessment_year
    if assessment_year.settled:
        raise ValidationError(
            _("%(y)d 年已结算，本省不能再修改（会改变已结算的完成数）。请先由财政局撤销结算。")
            % {"y": year}
        )
    assessment_year.home_province = province
    assessment_year.full_clean()
    stamp(assessment_year, user, reason)
    assessment_year.save(update_fields=["home_province"])
    rebuild(year)  # what counts as 境内省外 changed: recount the whole year now
    return assessment_year


class HomeProvinceForm(forms.Form):
    province = forms.ChoiceField(
        label=gettext_lazy("本省"),
        choices=[(name, name) for name in PROVINCES],
        help_text=gettext_lazy("来自本省的内资不计入“境内省外资金”和“引进内资项目”。"),
        error_messages={
            "required": gettext_lazy("请选择本省。"),
            "invalid_choice": gettext_lazy("请从列表中选择省级行政区名称。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("修改原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写修改本省的原因。")},
    )


@role_required(Role.COMMERCE)
def home_province_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The commerce bureau sets the year's home province; saving recounts the year."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    current = year_settings(year)  # reading the page creates no year
    form = HomeProvinceForm(
        request.POST if request.method == "POST" else None,
        initial={"province": current.home_province},
    )
    if request.method == "POST" and form.is_valid():
        try:
            year_home_province_set(
                year=year,
                province=form.cleaned_data["province"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(y)d 年的本省已设为%(p)s，完成数已按新的本省重新统计。")
                % {"y": year, "p": form.cleaned_data["province"]},
            )
            return redirect("targets:quotas", year=year)
    return render(
        request,
        "projects/home_province.html",
        {"form": form, "year": year, "current": current.home_province},
    )
