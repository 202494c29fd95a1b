from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("工作簿（.xlsx）"),
        help_text=_(
            "按模板填写的 Excel 工作簿；工作表名为 单位、指标、考核方案、任务、项目、到位资金、"
            "报送、加减分 或 抵押金。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.WORKBOOK_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），上限为 %(limit)d MB。")
                % {"size": upload.size / 1024 / 1024, "limit": limit}
            )
        return upload
