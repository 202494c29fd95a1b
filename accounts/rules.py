"""Who may do what with accounts: separated administration (三权分立, 等保 2.0 访问控制).

- The system administrator manages accounts: creates them, sets role and unit, disables and
  enables, resets a password to a one-time password.
- The security administrator unlocks locked accounts and resets second factors.
- The audit administrator reads the audit log (the audit app's rules use
  ``common.rules.is_audit_admin``) and nothing here.
None of them is a business role, so no business page lets them in.
"""

import rules

from common.roles import SECOND_FACTOR_ROLES
from common.rules import (
    is_administrator,
    is_security_admin,
    is_system,
    is_system_admin,
    role_in,
)

# The account list and an account's page (who is locked, who has a second factor).
rules.add_perm("accounts.view_accounts", is_system_admin | is_security_admin)
rules.add_perm("accounts.manage_accounts", is_system_admin | is_system)
rules.add_perm("accounts.manage_security", is_security_admin | is_system)
# The administrators' landing page.
rules.add_perm("accounts.administer", is_administrator)
# Who enrols and uses an authenticator: district-wide roles and administrators
# (accounts.policy adds superusers, who pass no portal rule).
rules.add_perm("accounts.use_second_factor", role_in(SECOND_FACTOR_ROLES, "has_second_factor_role"))
