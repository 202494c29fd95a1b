from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PortalLocaleMiddleware:
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, but office PCs
    often run an English Windows; the portal's language is zh-hans by default, and only
    the language cookie (set by the switch in the navigation bar) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def chinese_labels(choices, *, skip_blank: bool = False) -> dict[str, str]:
    """label → value of a model's choices, with the labels in Chinese whatever language is
    active: the workbook and the roster file carry the Chinese words (WORKBOOK.md), and a
    module may first be imported while an English page is being served."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices if value or not skip_blank}
