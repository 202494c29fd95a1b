from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.forms import SearchableSelect
from common.validators import normalize_credit_code
from projects.models import CHOSEN_STAGES, Inflow, Project, PromotionEvent, Stage
from projects.origins import PROVINCES, REGIONS
from units.models import Unit

INDUSTRIES = [
    "石墨加工", "机械", "电子仪表", "商贸物流", "旅游", "教育", "农业产业", "工业制造",
    "基础设施", "房地产开发", "新材料", "医药健康", "文化创意", "现代服务业", "其他",
]  # fmt: skip

ORIGIN_CHOICES = [
    ("", "---------"),
    (_("国家和地区（外资）"), [(r, r) for r in REGIONS]),
    (_("省级行政区（内资）"), [(p, p) for p in PROVINCES]),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConfirmLargeMixin(forms.Form):
    confirm_large = forms.BooleanField(
        label=_("我已核对金额"),
        required=False,
        help_text=_(
            "金额超过本单位全年任务或合同金额的 10 倍时（可能“万/亿”填错），核对无误后勾选此项"
            "再保存；这笔金额会标记给商务局核实。"
        ),
    )


class ProjectForm(ConfirmLargeMixin, forms.ModelForm):
    origin = forms.ChoiceField(label=_("来源地"), choices=ORIGIN_CHOICES)

    class Meta:
        model = Project
        fields = [
            "code", "name", "capital_type", "unit", "investor", "investor_credit_code", "origin",
            "industry", "stage", "signed_on", "approved_on", "started_on", "produced_on",
            "contract_amount", "registered_capital", "total_investment", "is_park_project",
            "event", "referrer_name",
        ]  # fmt: skip
        widgets = {
            "signed_on": DateInput(),
            "approved_on": DateInput(),
            "started_on": DateInput(),
            "produced_on": DateInput(),
            "unit": SearchableSelect(),
        }
        help_texts = {
            "code": _("全区唯一，如 2026-WZ-001。"),
            "capital_type": _("外资项目的合同金额和到位资金以万美元计，内资项目以万元计。"),
            "origin": _("外资填国家或地区（香港、澳门、台湾按境外计）；内资填投资方所在省份。"),
            "contract_amount": _("单位：外资项目为万美元，内资项目为万元。"),
            "registered_capital": _("单位：万元。"),
            "total_investment": _("单位：万元。"),
            "approved_on": _("外资项目按批准日期计入“新批外资项目”和“合同利用外资”。"),
            "signed_on": _("内资项目按签约日期计入“引进内资项目”。"),
            "is_park_project": _("由湘南国际物流园引进的项目。"),
            "investor_credit_code": _(
                "18 位，见投资方营业执照；用于发现其他单位重复登记的同一项目（重复统计）。"
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["industry"].widget.attrs["list"] = "industry-options"
        # 已撤回 is set only by the commerce bureau resolving a 重复统计.
        self.fields["stage"].choices = [(s.value, s.label) for s in CHOSEN_STAGES]
        if user is not None and user.is_unit_staff:
            # A clerk's projects always belong to the clerk's own unit.
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = Unit.objects.active()
        if not self.instance.pk:
            del self.fields["reason"]  # nothing recorded yet that a reason could explain
        if self.instance.pk:
            measure = self.instance.measure_label
            self.fields["contract_amount"].label = _("合同金额（%(m)s）") % {"m": measure}
        self.industry_options = INDUSTRIES

    reason = forms.CharField(
        label=_("修改原因"),
        max_length=100,
        required=False,
        help_text=_("修改已登记的开工日期或投产日期时必填，记入修改历史。"),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self):
        cleaned = super().clean()
        # Moving a project to 开工/投产 here records the day it happened (the tax reward's
        # years run from 投产日期). Older records and imports may lack it (DOMAIN.md).
        stage = cleaned.get("stage")
        before = self.instance.stage if self.instance.pk else None
        if stage != before:
            needed = {
                Stage.STARTED: ("started_on",),
                Stage.PRODUCING: ("started_on", "produced_on"),
            }
            for name in needed.get(stage, ()):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        _("项目进入“%(stage)s”阶段，请填写%(field)s。")
                        % {
                            "stage": Stage(stage).label,
                            "field": Project._meta.get_field(name).verbose_name,
                        },
                    )
        return cleaned

    def clean_investor_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["investor_credit_code"].strip())

    def _post_clean(self):
        if "unit" not in self.fields and self.user is not None:
            self.instance.unit_id = self.user.unit_id
        super()._post_clean()


class EvidenceInput(forms.ClearableFileInput):
    """A plain file input; under it the stored file's own name, linked to the portal's
    scoped download (Django's widget links to MEDIA_URL, which is never served), and a box
    to remove it."""

    template_name = "django/forms/widgets/file.html"
    current_name = ""
    download_url = ""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not (value and self.download_url):
            return html
        html += format_html(
            '<div class="form-text">{} <a href="{}">{}</a></div>',
            _("当前文件："),
            self.download_url,
            self.current_name,
        )
        if not self.is_required:
            box = self.clear_checkbox_name(name)
            box_id = self.clear_checkbox_id(box)
            html += format_html(
                '<div class="form-check"><input class="form-check-input" type="checkbox"'
                ' name="{}" id="{}"><label class="form-check-label" for="{}">{}</label></div>',
                box,
                box_id,
                box_id,
                _("删除当前文件"),
            )
        return html


class InflowForm(ConfirmLargeMixin, forms.ModelForm):
    class Meta:
        model = Inflow
        fields = ["arrived_on", "amount", "voucher_no", "evidence"]
        widgets = {"arrived_on": DateInput(), "evidence": EvidenceInput()}
        help_texts = {
            "voucher_no": _("银行进账单号、验资报告编号等；同一凭证号在全区只能登记一次。"),
            "evidence": _("验资报告、银行进账单或外汇登记的扫描件：PDF、JPG 或 PNG。"),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        self.fields["amount"].label = _("金额（%(m)s）") % {"m": project.measure_label}
        self.fields["amount"].help_text = _("%(type)s项目，单位为%(m)s。") % {
            "type": project.get_capital_type_display(),
            "m": project.measure_label,
        }
        if "evidence" in self.fields:
            widget = self.fields["evidence"].widget
            widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
            if self.instance.pk and self.instance.evidence:
                widget.current_name = self.instance.evidence_name
                widget.download_url = reverse("projects:inflow_evidence", args=[self.instance.pk])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkVerifyForm(forms.Form):
    """The verification queue's bulk action: the ticked inflows, verified or returned."""

    VERIFY, RETURN = "verify", "return"

    pk = forms.TypedMultipleChoiceField(coerce=int, label=_("到位资金"))
    action = forms.ChoiceField(choices=[(VERIFY, _("批量核实")), (RETURN, _("批量退回"))])
    reason = forms.CharField(label=_("退回原因"), max_length=300, required=False)
    confirm_flagged = forms.BooleanField(
        label=_("已逐笔对照凭证核对带标记的资金（金额待核对、凭证号重复、疑似重复统计）"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any posted id is a choice here; the selector then scopes them (404 outside).
        posted = self.data.getlist("pk") if hasattr(self.data, "getlist") else []
        self.fields["pk"].choices = [(p, p) for p in posted if str(p).isdigit()]
        self.fields["pk"].error_messages["required"] = _("请先勾选要处理的到位资金。")

    def clean(self):
        data = super().clean()
        if data.get("action") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时必须写明原因。"))
        return data


class InflowCorrectForm(InflowForm):
    reason = forms.CharField(label=_("更正原因"), max_length=300)

    class Meta(InflowForm.Meta):
        fields = ["arrived_on", "amount", "voucher_no"]


class PromotionEventForm(forms.ModelForm):
    class Meta:
        model = PromotionEvent
        fields = ["name", "held_on", "place"]
        widgets = {"held_on": DateInput()}
        help_texts = {"name": _("如 中博会、珠洽会、深圳招商会。")}
