"""What the twelve operations do to the world: list, add and remove factors, as ZITADEL does.

The world is the plain data a state store keeps. Management calls act on one organization
(lists fall back to the instance default when it has no custom policy; adds and removes always
act on the organization's own factors); Admin calls act on the instance default. Every change
is an event: the aggregate's sequence grows and the projection moves on.
"""

from __future__ import annotations

from typing import Any

from mockserver import zitadel_errors
from mockserver.fixtures import FACTOR_FIELDS


def list_factors(world: dict[str, Any], api: str, kind: str, org_id: str) -> dict[str, Any]:
    """The list answer; `result` and `totalResult` are omitted when there is nothing."""
    policy = world["instance"]
    if api == "management":
        organization = world["organizations"][org_id]
        policy = organization if organization["customLoginPolicy"] else policy
    factors = policy[FACTOR_FIELDS[kind]]
    projection = world["projection"]
    details: dict[str, Any] = {}
    if factors:
        details["totalResult"] = str(len(factors))
    if projection["processedSequence"]:
        details["processedSequence"] = str(projection["processedSequence"])
    details["viewTimestamp"] = projection["viewTimestamp"]
    answer: dict[str, Any] = {"details": details}
    if factors:
        answer["result"] = list(factors)
    return answer


def add_factor(world: dict[str, Any], api: str, kind: str, org_id: str, factor: str, now: str) -> dict[str, Any]:
    """Add `factor`, or ZITADEL's 409 when it is already active on that aggregate."""
    owner_id, aggregate = _aggregate(world, api, org_id)
    factors = aggregate[FACTOR_FIELDS[kind]]
    if factor in factors:
        raise zitadel_errors.factor_already_exists(api, kind)
    factors.append(factor)
    sequence = _push_event(world, aggregate, now)
    return {"details": {"sequence": str(sequence), "creationDate": now, "resourceOwner": owner_id}}


def remove_factor(world: dict[str, Any], api: str, kind: str, org_id: str, factor: str, now: str) -> dict[str, Any]:
    """Remove `factor`, or ZITADEL's 404 when that aggregate does not have it."""
    owner_id, aggregate = _aggregate(world, api, org_id)
    factors = aggregate[FACTOR_FIELDS[kind]]
    if factor not in factors:
        raise zitadel_errors.factor_not_existing(api, kind)
    factors.remove(factor)
    sequence = _push_event(world, aggregate, now)
    return {"details": {"sequence": str(sequence), "changeDate": now, "resourceOwner": owner_id}}


def _aggregate(world: dict[str, Any], api: str, org_id: str) -> tuple[str, dict[str, Any]]:
    if api == "admin":
        return world["instance"]["id"], world["instance"]
    return org_id, world["organizations"][org_id]


def _push_event(world: dict[str, Any], aggregate: dict[str, Any], now: str) -> int:
    aggregate["sequence"] += 1
    world["projection"] = {"processedSequence": aggregate["sequence"], "viewTimestamp": now}
    return int(aggregate["sequence"])
