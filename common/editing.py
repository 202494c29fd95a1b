"""One generic edit view (after NetBox's ObjectEditView): form → service → message → redirect.

A view says which rule lets the user in, which form it shows, how it finds its object and
which service it calls; this class does the rest, so an edit page is a few declarative lines::

    class UnitUpdate(ServiceFormView):
        permission_required = "units.manage_units"
        form_class = UnitForm
        template_name = "units/unit_form.html"

        def get_object(self):
            return get_object_or_404(Unit.objects.for_user(self.request.user), pk=self.kwargs["pk"])

        def perform(self, form):
            if services.unit_update(unit=self.object, **form.cleaned_data):
                return _("已保存 %(name)s 的修改。") % {"name": self.object.name}

Order of the answers, as for every portal page: the rule without the object first (403 for a
role that may never do it), then the object through a scoped lookup (404 for another unit's).
A ValidationError or constraint IntegrityError from the service lands on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from django.views.generic.base import TemplateResponseMixin

from common.forms import add_validation_error
from common.permissions import PermissionRequiredMixin


class ServiceFormView(PermissionRequiredMixin, TemplateResponseMixin, View):
    permission_required: str = ""
    form_class = None
    title = ""
    # Shown (as info) when perform() returns None: the service found nothing to change.
    no_change_message = _("没有任何修改。")

    object = None

    # --- what a view declares ----------------------------------------------------------

    def get_object(self):
        """The object edited, looked up in the user's scope (404 outside it); None to add."""
        return None

    def get_form_kwargs(self) -> dict:
        return {}

    def get_initial(self) -> dict | None:
        return None

    def perform(self, form) -> str | None:
        """Call the service with the cleaned data; return the success message, or None when
        nothing changed. Raise ValidationError (or let a constraint's IntegrityError through)
        to show the form again with the error."""
        raise NotImplementedError

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    def get_title(self) -> str:
        return str(self.title)

    def get_context_data(self, **kwargs) -> dict:
        return {"title": self.get_title(), "object": self.object, **kwargs}

    # --- the machinery -----------------------------------------------------------------

    def get_permission_object(self):
        # The rule answers for the role before any lookup (403 before 404).
        return None

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return View.dispatch(self, request, *args, **kwargs)  # the rule is asked already

    def make_form(self):
        data = (self.request.POST, self.request.FILES) if self.request.method == "POST" else ()
        return self.form_class(*data, initial=self.get_initial(), **self.get_form_kwargs())

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = self.make_form()
        if form.is_valid():
            try:
                message = self.perform(form)
            except (ValidationError, IntegrityError) as error:
                add_validation_error(form, error)
            else:
                if message:
                    messages.success(request, message)
                else:
                    messages.info(request, self.no_change_message)
                return redirect(self.get_success_url())
        return self.render_to_response(self.get_context_data(form=form))
