import rules
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.roles import ADMIN_ROLES, DISTRICT_WIDE_ROLES, Role


class User(AbstractUser):
    """A portal account. Unit staff belong to exactly one unit; other roles to none.

    An account without a role can log in to nothing but the admin (if it is staff).
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    # 等保 2.0 身份鉴别: a one-time password (a new account, a reset) must be replaced at the
    # next login (enforced when PORTAL_FORCE_PASSWORD_CHANGE is on).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # When the password was last set. NULL means "unknown" (accounts from before release 2):
    # accounts.policy counts their expiry from the upgrade, never from an invented date.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[*Role.values, ""]),
                name="accounts_user_role_valid",
            ),
            # A clerk belongs to exactly one unit; nobody else belongs to a unit.
            models.CheckConstraint(
                condition=(models.Q(role=Role.UNIT_STAFF) & models.Q(unit__isnull=False))
                | (~models.Q(role=Role.UNIT_STAFF) & models.Q(unit__isnull=True)),
                name="accounts_user_unit_iff_unit_staff",
            ),
        ]

    def has_perm(self, perm, obj=None) -> bool:
        # The portal's own rules (<app>/rules.py) decide alone: a superuser without a role
        # is no portal user. Django's model permissions (the admin) work as usual.
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def is_unit_staff(self) -> bool:
        return self.role == Role.UNIT_STAFF

    @property
    def sees_all_units(self) -> bool:
        return self.role in DISTRICT_WIDE_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
