"""A session's state in two parts: the world's organizations, and the rest.

A world may hold thousands of organizations, and a change touches one (the one the call acts in).
So a change gets the rest as a private copy and the organizations shared with the stored state,
copying an organization before it changes it (`behaviour.world.own_organizations`); a store then
writes the rest and only the organizations that are new objects. A change that does not promise
to copy what it touches (`own_copies=False`) gets a private copy of everything.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import orjson

from mockserver.behaviour.world import json_copy

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SessionState = dict[str, Any]
PARSED_STATES = 16_384  # per process: states a store keeps parsed (least recently used out)
Initial = Callable[[], SessionState]
Organizations = dict[str, Any]


def to_json(data: Any) -> str:
    """The text a store keeps for `data` (orjson: a write stores what it changed, and the standard
    library's encoder was a fifth of a write)."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()


def from_json(text: str | bytes) -> Any:
    """`to_json` undone."""
    return orjson.loads(text)


def organizations_of(state: SessionState) -> Organizations | None:
    """The world's organizations, or None for a state whose world has none."""
    world = state.get("world")
    organizations = world.get("organizations") if isinstance(world, dict) else None
    return organizations if isinstance(organizations, dict) else None


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


class TrackedOrganizations(dict[str, Any]):
    """The organizations a change works on, noting which it set (so a store writes only those,
    without comparing thousands); any other kind of change counts as replacing them all."""

    def __init__(self, organizations: Organizations) -> None:
        super().__init__(organizations)
        self.set_keys: set[str] = set()
        self.reshaped = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.reshaped = self.reshaped or key not in self
        self.set_keys.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.reshaped = True
        super().__delitem__(key)

    def pop(self, *arguments: Any) -> Any:
        self.reshaped = True
        return super().pop(*arguments)

    def popitem(self) -> tuple[str, Any]:
        self.reshaped = True
        return super().popitem()

    def clear(self) -> None:
        self.reshaped = True
        super().clear()

    def update(self, *arguments: Any, **keywords: Any) -> None:
        self.reshaped = True
        super().update(*arguments, **keywords)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.reshaped = self.reshaped or key not in self
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> TrackedOrganizations:  # type: ignore[override,misc]
        self.reshaped = True
        return super().__ior__(other)


def copy_for_change(state: SessionState, own_copies: bool) -> SessionState:
    """The state a change works on: the rest copied; the organizations shared when the change
    copies those it touches (`own_copies`), else copied too."""
    rest, organizations = split(state)
    if organizations is None or not own_copies:
        copied: SessionState = json_copy(state)
        return copied
    return joined(json_copy(rest), TrackedOrganizations(organizations))


def changed_organizations(before: Organizations | None, after: Organizations | None) -> Organizations | None:
    """The organizations a change set, or None when it may have changed the set of organizations
    itself (or the world has none, or the change was not tracked): then every one is written."""
    if before is None or not isinstance(after, TrackedOrganizations) or after.reshaped:
        return None
    return {org_id: after[org_id] for org_id in after.set_keys if after[org_id] is not before.get(org_id)}


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
