"""The maps a store keeps a world's organizations in read exactly like the dicts they stand for,
and never change once made; what a change does to them is what it would do to a dict."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.behaviour.world import get, json_copy
from mockserver.state.organization_map import (
    SHARED_FROM,
    CopiedOrganizations,
    OrganizationMap,
    TrackedOrganizations,
    organization_map,
)
from mockserver.state.organization_map import tracked as organization_tracked
from mockserver.state.parts import to_json

BIG = SHARED_FROM * 4


def orgs(count: int) -> dict[str, Any]:
    return {f"{260_000_000_000_000_000 + n}": {"name": f"org{n}", "items": [n]} for n in range(count)}


def test_a_big_world_is_kept_in_a_shared_map_and_a_small_one_as_a_dict() -> None:
    assert type(organization_map(orgs(SHARED_FROM - 1))) is dict
    assert isinstance(organization_map(orgs(SHARED_FROM)), OrganizationMap)


def test_a_map_reads_as_the_dict_it_was_made_of() -> None:
    plain = orgs(BIG)
    shared = OrganizationMap.of(plain)
    assert shared == plain and plain == shared
    assert list(shared) == list(plain) and len(shared) == len(plain)
    assert all(shared[key] is value for key, value in plain.items())
    assert shared.get("nope") is None and shared.get("nope", 1) == 1 and "nope" not in shared
    unhashable: Any = ["an", "id"]
    assert unhashable not in shared
    with pytest.raises(KeyError):
        shared["nope"]


def test_changes_make_a_new_map_and_leave_the_old_one_as_it_was() -> None:
    plain = orgs(BIG)
    old = OrganizationMap.of(plain)
    first, last = next(iter(plain)), list(plain)[-1]
    new = old.with_changes({first: {"name": "changed"}, "new-org": {"name": "added"}})
    assert old == plain
    assert new == {**plain, first: {"name": "changed"}, "new-org": {"name": "added"}}
    assert list(new) == [*plain, "new-org"]
    assert new[last] is old[last]  # what did not change is shared, not copied


def test_maps_encode_as_json_objects_in_their_order() -> None:
    plain = orgs(BIG)
    state = {"world": {"organizations": OrganizationMap.of(plain).with_changes({"260000000000000003": {"n": 3}})}}
    expected = {"world": {"organizations": {**plain, "260000000000000003": {"n": 3}}}}
    assert to_json(state) == orjson.dumps(expected).decode()
    assert json_copy(state) == expected and type(json_copy(state)["world"]["organizations"]) is dict
    tracked = TrackedOrganizations(OrganizationMap.of(plain))
    assert json_copy({"o": tracked}) == {"o": plain}


def test_a_pointer_walks_through_a_map() -> None:
    world = {"organizations": OrganizationMap.of(orgs(BIG))}
    assert get(world, "/organizations/260000000000000007/items") == [7]


# What a change does to the organizations, tried against a dict doing the same.
_IDS = [f"{260_000_000_000_000_000 + n}" for n in range(BIG)]
_OPERATION = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(_IDS[:5] + ["new-1", "new-2"]), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.sampled_from(_IDS[:5] + ["new-1"]), st.just(0)),
    st.tuples(st.just("pop"), st.sampled_from(_IDS[:5]), st.just(0)),
    st.tuples(st.just("setdefault"), st.sampled_from(_IDS[:3] + ["new-2"]), st.integers(0, 9)),
)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(operations=st.lists(_OPERATION, max_size=12), kept_as=st.sampled_from(["map", "dict", "small dict"]))
def test_a_tracked_change_does_what_it_would_do_to_a_dict(operations: list[tuple[str, str, int]], kept_as: str) -> None:
    """Over a big world's map (`TrackedOrganizations`) or a plain dict (`CopiedOrganizations`)."""
    stored_dict = orgs(BIG if kept_as != "small dict" else 10)
    stored = OrganizationMap.of(stored_dict) if kept_as == "map" else stored_dict
    model, tracked = dict(stored_dict), organization_tracked(stored)
    assert isinstance(tracked, TrackedOrganizations if kept_as == "map" else CopiedOrganizations)
    for name, key, number in operations:
        for target in (model, tracked):
            if name == "set":
                target[key] = {"n": number}
            elif name == "delete" and key in target:
                del target[key]
            elif name == "pop":
                target.pop(key, None)
            elif name == "setdefault":
                target.setdefault(key, {"n": number})
        assert tracked == model and list(tracked) == list(model) and len(tracked) == len(model)
    assert tracked.settled() == model and list(tracked.settled()) == list(model)
    assert stored == stored_dict  # the stored map is as it was
    if set(model) != set(stored_dict):
        assert tracked.reshaped  # the store then writes every organization
    if not tracked.reshaped:  # the store writes the ones set: every one that changed must be among them
        assert {key for key in tracked if tracked[key] is not stored_dict[key]} <= set(tracked.set_keys)
    assert isinstance(tracked.settled(), OrganizationMap if len(model) >= SHARED_FROM else dict)
