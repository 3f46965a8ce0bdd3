"""Media type names paired across BASE and HEAD the way oasdiff pairs them.

`application/json` and `application/json; charset=utf-8` are one media type with different
parameters; `application/problem+json` specializes `application/json`. Such a pair is compared
as one entry whose name changed, not as one media type removed and another added.
"""

from __future__ import annotations

from dataclasses import dataclass

SAME, PARAMETERS, SPECIALIZED, GENERALIZED = "same", "parameters", "specialized", "generalized"


@dataclass(frozen=True)
class MediaName:
    """`type/subtype+suffix; parameters`, split."""

    type: str
    subtype: str
    suffix: str
    parameters: tuple[tuple[str, str], ...]


def parse(name: str) -> MediaName | None:
    """The parts of a media type name, or None when it is not one."""
    essence, *raw_parameters = [part.strip() for part in name.split(";")]
    kind, slash, subtype = essence.lower().partition("/")
    if not slash or not kind or not subtype:
        return None
    subtype, _, suffix = subtype.partition("+")
    pairs = (parameter.lower().split("=", 1) for parameter in raw_parameters if "=" in parameter)
    parameters = tuple(sorted((key.strip(), value.strip().strip('"')) for key, value in pairs))
    return MediaName(kind, subtype, suffix, parameters)


def contains(general: str, specific: str) -> bool:
    """`specific` is `general` or a specialization of it (`application/json` ⊇ `application/problem+json`)."""
    wide, narrow = parse(general), parse(specific)
    if wide is None or narrow is None or wide.type != narrow.type:
        return False
    if not wide.suffix and narrow.suffix == wide.subtype:
        return True
    return wide.subtype == narrow.subtype and wide.suffix == narrow.suffix


def relation(old: str, new: str) -> str:
    """How `new` stands to `old`: the same, other parameters, more specific or more general."""
    if old == new:
        return SAME
    before, after = parse(old), parse(new)
    if before is not None and after is not None and _essence(before) == _essence(after):
        return SAME if before.parameters == after.parameters else PARAMETERS
    return SPECIALIZED if contains(old, new) else GENERALIZED


def _essence(name: MediaName) -> tuple[str, str, str]:
    return name.type, name.subtype, name.suffix


def pair(old: list[str], new: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs, removed, added): exact names first, then related names (either contains the other)."""
    pairs = [(name, name) for name in old if name in new]
    removed = [name for name in old if name not in new]
    added = [name for name in new if name not in old]
    for name in list(added):
        partner = next((gone for gone in removed if contains(gone, name) or contains(name, gone)), None)
        if partner is not None:
            pairs.append((partner, name))
            removed.remove(partner)
            added.remove(name)
    return pairs, removed, added
