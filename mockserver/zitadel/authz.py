"""Who is calling and what they may do, checked in ZITADEL's order.

Token (401) → the organization named by `x-zitadel-orgid` (403) → any membership on that
organization or the instance (404) → the permission the operation needs (403). The permission
comes from the operation's `x-zitadel-permission`; `authenticated` asks for a valid token only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from mockserver.zitadel.errors import ErrorCatalogue

BEARER_PREFIX = "Bearer "
AUTHENTICATED_ONLY = "authenticated"


@dataclass(frozen=True)
class Membership:
    """A user's roles on the instance (`scope: instance`) or on one organization."""

    scope: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class User:
    """Who a bearer token stands for."""

    token: str
    id: str
    organization: str
    memberships: tuple[Membership, ...]


@dataclass(frozen=True)
class Authorizer:
    """The users, the role → permission table and the gateway's errors, applied to one call."""

    users: Mapping[str, User]
    role_permissions: Mapping[str, frozenset[str]]
    errors: ErrorCatalogue

    def authenticate(self, authorization: str | None) -> User:
        """The user behind the `Authorization` header, or ZITADEL's 401."""
        if not authorization:
            raise self.errors.error("authHeaderMissing")
        parts = authorization.split(BEARER_PREFIX)  # ZITADEL splits on the prefix, case-sensitive
        if len(parts) != 2:
            raise self.errors.error("invalidAuthHeader")
        user = self.users.get(parts[1])
        if user is None:
            raise self.errors.error("invalidToken")
        return user

    def authorize(self, user: User, org_header: str | None, permission: str, organizations: Collection[str]) -> str:
        """The organization the call acts in, once the user may do `permission` there."""
        org_id = org_header or user.organization
        if org_id not in organizations:
            raise self.errors.error("organisationNotFound")
        if permission == AUTHENTICATED_ONLY:
            return org_id
        memberships = [m for m in user.memberships if m.scope in ("instance", org_id)]
        if not memberships:
            raise self.errors.error("membershipNotFound")
        granted = {p for m in memberships for role in m.roles for p in self.role_permissions.get(role, ())}
        if permission not in granted:
            raise self.errors.error("noMatchingPermissions")
        return org_id
