"""A session's state in two parts: the world's organizations, and the rest.

A world may hold thousands of organizations, and a change touches one (the one the call acts in).
So a change gets the rest as a private copy and the organizations shared with the stored state
(`organization_map.tracked`), copying an organization before it changes it
(`behaviour.world.own_organizations`); a store then writes the rest and only the organizations
the change set, and keeps the map `settled` makes (sharing what the change did not touch). A
change that does not promise to copy what it touches (`own_copies=False`) gets a private copy of
everything.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import orjson

from mockserver.behaviour.world import json_copy, json_default
from mockserver.state.organization_map import (
    CopiedOrganizations,
    OrganizationMap,
    Organizations,
    TrackedOrganizations,
    organization_map,
    tracked,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SessionState = dict[str, Any]
PARSED_STATES = 16_384  # per process: states a store keeps parsed (least recently used out)
Initial = Callable[[], SessionState]


def to_json(data: Any) -> str:
    """The text a store keeps for `data` (orjson: a write stores what it changed, and the standard
    library's encoder was a fifth of a write)."""
    return orjson.dumps(data, default=json_default, option=orjson.OPT_NON_STR_KEYS).decode()


def from_json(text: str | bytes) -> Any:
    """`to_json` undone."""
    return orjson.loads(text)


def organizations_of(state: SessionState) -> Organizations | None:
    """The world's organizations, or None for a state whose world has none."""
    world = state.get("world")
    organizations = world.get("organizations") if isinstance(world, dict) else None
    return organizations if isinstance(organizations, (dict, OrganizationMap, TrackedOrganizations)) else None


def split(state: SessionState) -> tuple[SessionState, Organizations | None]:
    """The rest (its world's organizations left empty) and the organizations."""
    organizations = organizations_of(state)
    if organizations is None:
        return state, None
    return {**state, "world": {**state["world"], "organizations": {}}}, organizations


def joined(rest: SessionState, organizations: Organizations | None) -> SessionState:
    """`split` undone."""
    if organizations is None:
        return rest
    return {**rest, "world": {**rest["world"], "organizations": organizations}}


def copy_for_change(state: SessionState, own_copies: bool) -> SessionState:
    """The state a change works on: the rest copied; the organizations shared when the change
    copies those it touches (`own_copies`), else copied too."""
    rest, organizations = split(state)
    if organizations is None or not own_copies:
        copied: SessionState = json_copy(state)
        return copied
    return joined(json_copy(rest), tracked(organizations))


def changed_organizations(before: Organizations | None, after: Organizations | None) -> Organizations | None:
    """The organizations a change set, or None when it may have changed the set of organizations
    itself (or the world has none, or the change was not tracked): then every one is written."""
    if before is None or not isinstance(after, (CopiedOrganizations, TrackedOrganizations)) or after.reshaped:
        return None
    return {org_id: after[org_id] for org_id in after.set_keys if after[org_id] is not before.get(org_id)}


def written_parts(
    before: SessionState | None, after: SessionState, generation: int
) -> tuple[SessionState, Organizations, bool, int]:
    """What a write of `after` over `before` stores: the rest, the organizations to write, whether
    they replace every stored one (a new session, or a change of the set of organizations: the
    generation moves on), and the generation after the write."""
    rest, organizations = split(after)
    changed = changed_organizations(organizations_of(before) if before else None, organizations)
    if organizations is not None and changed is None:
        return rest, organizations, True, generation + 1
    return rest, changed or {}, False, generation


def caught_up(known: Organizations | None, written: dict[str, Any]) -> Organizations:
    """The organizations `known` with those another worker has `written` since (all of them
    when `known` is None), sharing the ones it did not write."""
    if known is None:
        return organization_map(written)
    if isinstance(known, OrganizationMap):
        return known.with_changes(written) if written else known
    return organization_map({**known, **written})


def settled(state: SessionState) -> SessionState:
    """The state to keep after a change: its organizations as a store keeps them (a tracked
    change's map sharing what it did not touch; a big world's map in buckets)."""
    organizations = organizations_of(state)
    if organizations is None:
        return state
    if isinstance(organizations, (CopiedOrganizations, TrackedOrganizations)):
        kept = organizations.settled()
    else:
        kept = organization_map(organizations)
    return state if kept is organizations else joined(state, kept)


class Recent(Generic[K, V]):
    """A bounded, thread-safe map that forgets the least recently used entry first: the parsed
    states a shared store keeps, so that memory stays flat however many sessions there are."""

    def __init__(self, size: int = PARSED_STATES) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def forget(self, key: K | None = None) -> None:
        """Forget one entry, or every one when `key` is None."""
        with self._lock:
            if key is None:
                self._items.clear()
            else:
                self._items.pop(key, None)
