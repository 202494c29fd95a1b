"""Password complexity (等保 2.0 身份鉴别): upper and lower case letters, a digit and a symbol.

The length (≥ 10) is Django's MinimumLengthValidator, configured in settings.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda c: not c.isalnum() and not c.isspace()),
)


def missing_classes(password: str) -> list[str]:
    return [name for name, test in CLASSES if not any(test(c) for c in password)]


class ComplexityValidator:
    """Refuses a password without an upper-case letter, a lower-case letter, a digit and a
    symbol (ASCII letters count by case; a Chinese character counts as none of them)."""

    def validate(self, password: str, user=None) -> None:
        if missing_classes(password):
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须同时包含大写字母、小写字母、数字和符号（如 ! @ # - _）。")
