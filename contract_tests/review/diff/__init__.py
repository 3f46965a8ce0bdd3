"""`contract-tests diff BASE HEAD`: what changed between two versions of the contract, each change
named by its rule (oasdiff's id where oasdiff has one) and judged breaking, warning or info."""

from __future__ import annotations

from contract_tests.review.diff.change import Change
from contract_tests.review.diff.endpoints import diff_documents
from contract_tests.review.diff.sources import Side, load_side

__all__ = ["Change", "Side", "diff_documents", "load_side"]
