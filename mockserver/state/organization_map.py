"""The world's organizations as stores keep them: a map that a change of a few organizations makes
a new one of without copying the others.

A state a store has handed out never changes (a request may still be reading it), so a write
used to copy the whole map of organizations, and a worker catching up with another's write
copied it again: in a world of 10,000 organizations that was most of a write. `OrganizationMap`
spreads the organizations over about √n buckets (by the hash of the id, a dict each, never
changed once built) and keeps their order in a tuple; a new map for a few changed organizations
copies the buckets they lie in and shares the rest with the map it came from. A world below
`SHARED_FROM` organizations stays a plain dict: copying it is cheaper than looking in buckets.

What a change works on (`tracked`) notes which organizations it set, so a store writes those
without comparing thousands, and `settled` makes the next stored map from it: for a big world a
`TrackedOrganizations`, reading through to the stored map and keeping what the change sets
apart; for a small one a `CopiedOrganizations`, a dict copy, as fast to read as any dict.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

SHARED_FROM = 256  # organizations: below, a map is a plain dict (copying 256 entries takes about a microsecond)
Organizations = Mapping[str, Any]


class OrganizationMap(Mapping[str, Any]):
    """An immutable map of organizations sharing its buckets with the maps it was made from."""

    __slots__ = ("_buckets", "_order")

    def __init__(self, order: tuple[str, ...], buckets: tuple[dict[str, Any], ...]) -> None:
        self._order = order
        self._buckets = buckets

    @classmethod
    def of(cls, organizations: Mapping[str, Any]) -> OrganizationMap:
        """A map holding `organizations` (copied into buckets), in their order."""
        count = max(1, math.isqrt(len(organizations)))
        buckets: tuple[dict[str, Any], ...] = tuple({} for _ in range(count))
        for org_id, organization in organizations.items():
            buckets[hash(org_id) % count][org_id] = organization
        return cls(tuple(organizations), buckets)

    def with_changes(self, changes: Mapping[str, Any]) -> OrganizationMap:
        """A new map where the organizations of `changes` are replaced; only their buckets are
        copied (an id this map does not have makes a whole new map, as it must be ordered)."""
        if any(org_id not in self for org_id in changes):
            return OrganizationMap.of({**self.as_dict(), **changes})
        buckets = list(self._buckets)
        copied: set[int] = set()
        for org_id, organization in changes.items():
            index = hash(org_id) % len(buckets)
            if index not in copied:
                buckets[index] = dict(buckets[index])
                copied.add(index)
            buckets[index][org_id] = organization
        return OrganizationMap(self._order, tuple(buckets))

    def as_dict(self) -> dict[str, Any]:
        """A plain dict of the same organizations, in the same order."""
        merged: dict[str, Any] = {}
        for bucket in self._buckets:
            merged.update(bucket)
        return {org_id: merged[org_id] for org_id in self._order}

    def __getitem__(self, org_id: str) -> Any:
        return self._buckets[hash(org_id) % len(self._buckets)][org_id]

    def get(self, org_id: str, default: Any = None) -> Any:
        return self._buckets[hash(org_id) % len(self._buckets)].get(org_id, default)

    def __contains__(self, org_id: object) -> bool:
        try:
            return org_id in self._buckets[hash(org_id) % len(self._buckets)]
        except TypeError:  # not hashable: not an id
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __repr__(self) -> str:
        return f"OrganizationMap({self.as_dict()!r})"


def organization_map(organizations: Mapping[str, Any]) -> Organizations:
    """How a store keeps `organizations`: a plain dict when few, else an `OrganizationMap`."""
    if isinstance(organizations, OrganizationMap):
        return organizations
    if len(organizations) < SHARED_FROM:
        return organizations if isinstance(organizations, dict) else dict(organizations)
    return OrganizationMap.of(organizations)


def tracked(stored: Mapping[str, Any]) -> CopiedOrganizations | TrackedOrganizations:
    """What a change of the `stored` organizations works on."""
    return TrackedOrganizations(stored) if isinstance(stored, OrganizationMap) else CopiedOrganizations(stored)


class CopiedOrganizations(dict[str, Any]):
    """The organizations a change works on, for a world kept as a plain dict: a copy (a few
    entries), noting which it set (`set_keys`); adding or removing one counts as replacing them
    all (`reshaped`): the store then writes every one. A dict, so reading it costs a dict's."""

    def __init__(self, organizations: Mapping[str, Any]) -> None:
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

    def __ior__(self, other: Any) -> CopiedOrganizations:  # type: ignore[override,misc]
        self.reshaped = True
        return super().__ior__(other)

    def settled(self) -> Organizations:
        """The map to store after the change: this one (nothing changes it any more), in buckets
        if the change made the world big."""
        return self if len(self) < SHARED_FROM else OrganizationMap.of(self)


class TrackedOrganizations(MutableMapping[str, Any]):
    """The organizations a change works on, for a world kept in an `OrganizationMap`: the stored
    ones read through, the ones it sets kept apart (`set_keys`). Adding or removing an
    organization counts as replacing them all (`reshaped`): the store then writes every one."""

    __slots__ = ("_own", "_removed", "_stored", "reshaped")

    def __init__(self, stored: OrganizationMap) -> None:
        self._stored = stored
        self._own: dict[str, Any] = {}
        self._removed: set[str] = set()
        self.reshaped = False

    @property
    def set_keys(self) -> list[str]:
        return list(self._own)

    def __getitem__(self, org_id: str) -> Any:
        if org_id in self._own:
            return self._own[org_id]
        if org_id in self._removed:
            raise KeyError(org_id)
        return self._stored[org_id]

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._own or (org_id not in self._removed and org_id in self._stored)

    def __setitem__(self, org_id: str, organization: Any) -> None:
        if org_id not in self:  # new, or removed and back (a dict puts it last: so do we)
            self.reshaped = True
        self._own[org_id] = organization

    def __delitem__(self, org_id: str) -> None:
        if org_id not in self:
            raise KeyError(org_id)
        self.reshaped = True
        self._own.pop(org_id, None)
        if org_id in self._stored:
            self._removed.add(org_id)

    def __iter__(self) -> Iterator[str]:
        for org_id in self._stored:
            if org_id not in self._removed:
                yield org_id
        yield from (org_id for org_id in self._own if self._added(org_id))

    def __len__(self) -> int:
        return len(self._stored) - len(self._removed) + sum(1 for org_id in self._own if self._added(org_id))

    def _added(self, org_id: str) -> bool:
        """Set by the change and not in its stored place: new, or removed and set again."""
        return org_id in self._removed or org_id not in self._stored

    def settled(self) -> Organizations:
        """The map to store after the change: the stored one with what the change set, sharing
        what it did not touch."""
        if self.reshaped:
            return organization_map({org_id: self[org_id] for org_id in self})
        return self._stored.with_changes(self._own) if self._own else self._stored
