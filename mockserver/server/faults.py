"""Faults on demand: latency (fixed or a range), documented errors at a rate, dropped links."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.server.preferences import parse_delay


@dataclass(frozen=True)
class Faults:
    """What may go wrong with each request of a session."""

    delay_ms: tuple[int, int] | None = None
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500,)
    drop_rate: float = 0.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Faults:
        """From the fixture or control-API form (already checked against the fixture format)."""
        return cls(
            delay_ms=parse_delay(settings.get("delay")),
            error_rate=float(settings.get("errorRate", 0.0)),
            error_statuses=tuple(settings.get("errorStatuses", (500,))),
            drop_rate=float(settings.get("dropRate", 0.0)),
        )


@dataclass(frozen=True)
class FaultDecision:
    """What happens to one request."""

    delay_seconds: float = 0.0
    error_status: int | None = None
    drop: bool = False


NO_FAULT = FaultDecision()


def decide(faults: Faults, rng: random.Random) -> FaultDecision:
    """Roll the dice for one request."""
    delay = rng.uniform(*faults.delay_ms) / 1000 if faults.delay_ms else 0.0
    if faults.drop_rate and rng.random() < faults.drop_rate:
        return FaultDecision(delay, drop=True)
    if faults.error_rate and rng.random() < faults.error_rate:
        return FaultDecision(delay, error_status=rng.choice(faults.error_statuses))
    return FaultDecision(delay)
