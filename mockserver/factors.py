"""The two kinds of factor (second, multi) as the contract defines them: names and numbers.

The mock never lists enum values itself: it reads them from `SecondFactorType`,
`MultiFactorType` and their `...Number` schemas in openapi.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.errors import SpecError
from mockserver.spec import Contract

KIND_SCHEMAS = {"second": "SecondFactorType", "multi": "MultiFactorType"}


@dataclass(frozen=True)
class FactorKind:
    """One protobuf enum: its value names and their numbers (0 is UNSPECIFIED)."""

    kind: str
    numbers: dict[str, int]

    @property
    def names_by_number(self) -> dict[int, str]:
        return {number: name for name, number in self.numbers.items()}

    def is_defined(self, number: int) -> bool:
        return number in self.names_by_number


def factor_kinds(contract: Contract) -> dict[str, FactorKind]:
    """`second` and `multi`, read from the contract's enum schemas."""
    return {kind: _read_kind(contract, kind, schema) for kind, schema in KIND_SCHEMAS.items()}


def _read_kind(contract: Contract, kind: str, schema_name: str) -> FactorKind:
    pointer = f"/components/schemas/{schema_name}Number/x-enumDescriptions"
    try:
        names: list[str] = contract.node(f"/components/schemas/{schema_name}")["enum"]
        by_number: dict[str, str] = contract.node(pointer)
    except KeyError:
        raise SpecError(contract.place(pointer), f"{schema_name} numbers are missing") from None
    numbers = {name: int(number) for number, name in by_number.items()}
    unspecified = [name for name in names if name not in numbers]
    if len(unspecified) != 1 or set(numbers) - set(names):
        reason = f"{schema_name} names and numbers disagree: {names} vs {by_number}"
        raise SpecError(contract.place(pointer), reason)
    return FactorKind(kind, {unspecified[0]: 0, **numbers})
