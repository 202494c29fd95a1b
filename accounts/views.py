from django.contrib.auth.views import LoginView

from accounts.forms import PortalAuthenticationForm


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = False
