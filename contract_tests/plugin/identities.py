"""Several identities for one run (`--identities FILE`), and what ZITADEL lets each of them do.

The file is YAML, a list of users as a tester knows them:

    identities:
      - name: acme-viewer
        token_env: ACME_VIEWER_TOKEN      # or `token: ...` (the mock's demo tokens)
        org: '251000000000000001'         # the organization the user belongs to
        roles: [ORG_OWNER_VIEWER]         # ZITADEL's role names; [] for a user without memberships
    rolePermissions:                      # optional: roles of your own, or a changed mapping
      POLICY_EDITOR: [policy.read, policy.write]

Roles named `IAM_...` are memberships on the instance; every other role is a membership on the
user's own organization. What a call needs is the permission in the operation's
`x-zitadel-permission`; which role grants which permission is ZITADEL's role table
(`InternalAuthZ.RolePermissionMappings`, as the fixtures' `rolePermissions` hold it), with the
file's own entries on top. ZITADEL's rule, applied to the organization a call acts in (the
`x-zitadel-orgid` header, else the user's own): no membership there or on the instance is 404
`membership not found`; memberships without the permission are 403; else the call goes through.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import MockServerError

INSTANCE_ROLE_PREFIX = "IAM_"


class IdentitiesError(MockServerError):
    """The identities file cannot be used; the message says where and why."""


class Access(Enum):
    """What ZITADEL's authorization answers a call."""

    ALLOWED = "allowed"
    DENIED = "403 No matching permissions found (AUTH-5mWD2)"
    NO_MEMBERSHIP = "404 membership not found (AUTHZ-cdgFk)"


@dataclass(frozen=True)
class Identity:
    """One user of the server under test: its token (never printed), organization and roles."""

    name: str
    token: str
    org: str
    roles: tuple[str, ...]

    def __repr__(self) -> str:  # pytest shows parameters; the token must not appear
        return f"Identity({self.name!r}, org={self.org!r}, roles={list(self.roles)})"


@dataclass(frozen=True)
class Identities:
    """The identities of a run and the role table that says what their roles grant."""

    users: tuple[Identity, ...]
    role_permissions: Mapping[str, frozenset[str]]

    def access(self, identity: Identity, permission: str, acting_org: str | None) -> Access:
        """ZITADEL's verdict for `identity` doing `permission` in `acting_org` (None: its own)."""
        org = acting_org or identity.org
        relevant = [role for role in identity.roles if role.startswith(INSTANCE_ROLE_PREFIX) or identity.org == org]
        if not relevant:
            return Access.NO_MEMBERSHIP
        granted = {p for role in relevant for p in self.role_permissions.get(role, ())}
        return Access.ALLOWED if permission in granted else Access.DENIED


def load_identities(
    path: Path, role_permissions: Mapping[str, frozenset[str]], environ: Mapping[str, str] | None = None
) -> Identities:
    """The identities in `path`; IdentitiesError names the entry and the problem."""
    environ = os.environ if environ is None else environ
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise IdentitiesError(f"{path}: cannot read the identities: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("identities"), list) or not data["identities"]:
        raise IdentitiesError(f"{path}: expected `identities:`, a list of {{name, token | token_env, org, roles}}")
    table = dict(role_permissions)
    for role, permissions in (data.get("rolePermissions") or {}).items():
        if not isinstance(permissions, list):
            raise IdentitiesError(f"{path}: rolePermissions/{role}: expected a list of permissions")
        table[str(role)] = frozenset(map(str, permissions))
    users = tuple(_identity(path, index, entry, table, environ) for index, entry in enumerate(data["identities"]))
    names = [user.name for user in users]
    if len(set(names)) != len(names):
        raise IdentitiesError(f"{path}: every identity needs its own name ({', '.join(names)})")
    return Identities(users, table)


def _identity(
    path: Path, index: int, entry: Any, table: Mapping[str, frozenset[str]], environ: Mapping[str, str]
) -> Identity:
    where = f"{path}: identities/{index}"
    if not isinstance(entry, dict):
        raise IdentitiesError(f"{where}: expected {{name, token | token_env, org, roles}}")
    missing = [key for key in ("name", "org", "roles") if key not in entry]
    if missing or ("token" in entry) == ("token_env" in entry):
        needs = ", ".join(missing) or "exactly one of token and token_env"
        raise IdentitiesError(f"{where}: needs {needs}")
    token = entry.get("token") or environ.get(str(entry["token_env"]))
    if not token:
        raise IdentitiesError(f"{where} ({entry['name']}): the environment variable {entry['token_env']} is not set")
    roles = entry["roles"]
    if not isinstance(roles, list):
        raise IdentitiesError(f"{where}: roles must be a list ([] for a user without memberships)")
    unknown = [role for role in roles if role not in table]
    if unknown:
        raise IdentitiesError(f"{where}: unknown roles {unknown}; add them under rolePermissions")
    return Identity(str(entry["name"]), str(token), str(entry["org"]), tuple(map(str, roles)))
