"""Security requirements compared from a client's side: can credentials that worked before still
call the operation?

A `security` list offers alternatives (any one will do); each alternative names schemes that are
all needed, with the OAuth scopes each needs. A client that satisfied an alternative in BASE is
broken when no alternative in HEAD asks for at most what it has: a scheme or a scope became
required. Removing a requirement, or offering a new alternative, breaks nobody.
"""

from __future__ import annotations

from typing import Any

from contract_tests.review.diff.change import Changes

Requirement = dict[str, frozenset[str]]


def requirements(raw: Any) -> list[Requirement]:
    """The alternatives of a `security` list; no list, or an empty one, asks for nothing."""
    alternatives = [
        {scheme: frozenset(scopes or []) for scheme, scopes in entry.items()}
        for entry in (raw or [])
        if isinstance(entry, dict)
    ]
    return alternatives or [{}]


def satisfied(held: Requirement, offered: list[Requirement]) -> bool:
    """Credentials for `held` meet one of the `offered` alternatives."""
    return any(all(s in held and scopes <= held[s] for s, scopes in option.items()) for option in offered)


def compare_security(
    changes: Changes, prefix: str, operation: str, old: list[Requirement], new: list[Requirement], pointer: str
) -> None:
    """Report what became required (breaking) and what no longer is (info) between `old` and `new`.

    `prefix` is `api-security` for an operation's own list and `api-global-security` for the
    document's, as oasdiff names them."""
    where = "security" if prefix == "api-security" else "global security"
    for held in old:
        if not satisfied(held, new):
            rule, message = _tightening(prefix, held, new)
            changes.add(rule, operation, where, message, pointer)
    for option in new:
        if option in old:
            continue
        loosened = [held for held in old if set(option) <= set(held) and satisfied(held, [option])]
        if any(set(held) == set(option) for held in loosened):
            changes.add(f"{prefix}-scope-removed", operation, where, f"{_text(option)} needs fewer scopes", pointer)
        elif loosened:
            dropped = sorted(set(loosened[0]) - set(option))
            message = f"no longer requires {', '.join(dropped)}" if option else "no longer requires authentication"
            changes.add(f"{prefix}-removed", operation, where, message, pointer)
        elif all(satisfied(held, new) for held in old):
            changes.add("security-alternative-added", operation, where, f"{_text(option)} is also accepted", pointer)


def _tightening(prefix: str, held: Requirement, new: list[Requirement]) -> tuple[str, str]:
    same = [option for option in new if set(option) == set(held)]
    if same:
        extra = sorted({f"{s}:{scope}" for s in same[0] for scope in same[0][s] - held.get(s, frozenset())})
        return f"{prefix}-scope-added", f"scopes now required: {', '.join(extra)}"
    wider = [option for option in new if set(option) > set(held)]
    if wider:
        added = sorted(set(wider[0]) - set(held))
        return f"{prefix}-added", f"now also requires {', '.join(added)}; clients with {_text(held)} get 401"
    return "security-alternative-dropped", f"clients that authenticate with {_text(held)} can no longer call"


def _text(requirement: Requirement) -> str:
    if not requirement:
        return "no credentials"
    parts = [f"{s} [{', '.join(sorted(scopes))}]" if scopes else s for s, scopes in sorted(requirement.items())]
    return " + ".join(parts)
