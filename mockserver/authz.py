"""Who is calling and what they may do, checked in ZITADEL's order.

Token (401) → organization named by `x-zitadel-orgid` (403) → any membership on that
organization or the instance (404) → the permission the operation needs (403).
"""

from __future__ import annotations

from collections.abc import Mapping

from mockserver import zitadel_errors
from mockserver.fixtures import User

BEARER_PREFIX = "Bearer "


def authenticate(authorization: str | None, users: Mapping[str, User]) -> User:
    """The user behind the `Authorization` header, or ZITADEL's 401."""
    if not authorization:
        raise zitadel_errors.auth_header_missing()
    parts = authorization.split(BEARER_PREFIX)  # ZITADEL splits on the prefix, case-sensitive
    if len(parts) != 2:
        raise zitadel_errors.invalid_auth_header()
    user = users.get(parts[1])
    if user is None:
        raise zitadel_errors.invalid_token()
    return user


def authorize(
    user: User,
    org_header: str | None,
    permission: str,
    organizations: Mapping[str, object],
    role_permissions: Mapping[str, frozenset[str]],
) -> str:
    """The organization the call acts in, once the user may do `permission` there."""
    org_id = org_header or user.organization
    if org_id not in organizations:
        raise zitadel_errors.organisation_not_found()
    memberships = [m for m in user.memberships if m.scope in ("instance", org_id)]
    if not memberships:
        raise zitadel_errors.membership_not_found()
    granted = {p for m in memberships for role in m.roles for p in role_permissions.get(role, ())}
    if permission not in granted:
        raise zitadel_errors.no_matching_permissions()
    return org_id
