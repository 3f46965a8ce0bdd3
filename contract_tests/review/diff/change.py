"""One change between BASE and HEAD, and the list that collects them as the walk finds them."""

from __future__ import annotations

from dataclasses import dataclass, field

from contract_tests.review.diff.rules import BREAKING, LEVELS, is_oasdiff_rule, level_of

HEAD, BASE = "head", "base"


@dataclass(frozen=True)
class Change:
    """A difference: its rule and level, the operation, where in it, what, and where it is written
    (a pointer into HEAD, or into BASE for what HEAD no longer has)."""

    rule: str
    level: str
    operation: str
    where: str
    message: str
    pointer: str
    side: str = HEAD

    @property
    def breaking(self) -> bool:
        return self.level == BREAKING

    @property
    def oasdiff(self) -> bool:
        """Whether `rule` is one of oasdiff's ids (else one of this tool's own)."""
        return is_oasdiff_rule(self.rule)


@dataclass
class Changes:
    """The changes found so far, each given its rule's level."""

    found: list[Change] = field(default_factory=list)

    def add(self, rule: str, operation: str, where: str, message: str, pointer: str, side: str = HEAD) -> None:
        self.found.append(Change(rule, level_of(rule), operation, where, message, pointer, side))

    def sorted(self) -> list[Change]:
        """Breaking first, then warnings, then the rest; each level by operation and place."""
        return sorted(set(self.found), key=lambda c: (LEVELS.index(c.level), c.operation, c.where, c.rule, c.message))
