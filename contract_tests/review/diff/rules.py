"""The rules a change is judged by: each rule's id and level, oasdiff's where it has one.

Ids are oasdiff's (its `checker/rules.go`) wherever oasdiff has a rule for the change, so a
reviewer can look the rule up there; `OWN` holds the few this tool adds. `DEVIATIONS` lists where
this tool judges a change differently from oasdiff on purpose; docs/spec-review.md gives the
reasons, and a test keeps the two in step.
"""

from __future__ import annotations

BREAKING, WARNING, INFO = "breaking", "warning", "info"
LEVELS = (BREAKING, WARNING, INFO)
_FROM_OASDIFF = {"ERR": BREAKING, "WARN": WARNING, "INFO": INFO}

# oasdiff's level for each of its rules this tool emits.
OASDIFF: dict[str, str] = {
    # endpoints
    "endpoint-added": "INFO",
    "endpoint-deprecated": "INFO",
    "endpoint-reactivated": "INFO",
    "api-path-removed-without-deprecation": "ERR",
    "api-path-removed-with-deprecation": "INFO",
    "api-removed-without-deprecation": "ERR",
    "api-removed-with-deprecation": "INFO",
    "api-operation-id-removed": "INFO",
    # security
    "api-security-added": "INFO",
    "api-security-removed": "INFO",
    "api-security-scope-added": "INFO",
    "api-security-scope-removed": "INFO",
    "api-global-security-added": "INFO",
    "api-global-security-removed": "INFO",
    "api-global-security-scope-added": "INFO",
    "api-global-security-scope-removed": "INFO",
    "api-security-component-type-changed": "INFO",
    # parameters
    "new-required-request-parameter": "ERR",
    "new-optional-request-parameter": "INFO",
    "request-parameter-removed": "WARN",
    "request-parameter-became-required": "ERR",
    "request-parameter-became-optional": "INFO",
    "request-parameter-type-changed": "ERR",
    "request-parameter-type-generalized": "INFO",
    "request-parameter-became-nullable": "INFO",
    "request-parameter-became-not-nullable": "ERR",
    "request-parameter-became-enum": "ERR",
    "request-parameter-enum-value-added": "INFO",
    "request-parameter-enum-value-removed": "ERR",
    "request-parameter-pattern-added": "ERR",
    "request-parameter-pattern-changed": "WARN",
    "request-parameter-pattern-removed": "INFO",
    "request-parameter-max-length-set": "WARN",
    "request-parameter-max-length-decreased": "ERR",
    "request-parameter-max-length-increased": "INFO",
    "request-parameter-min-length-increased": "ERR",
    "request-parameter-min-length-decreased": "INFO",
    "request-parameter-max-set": "WARN",
    "request-parameter-max-decreased": "ERR",
    "request-parameter-max-increased": "INFO",
    "request-parameter-exclusive-max-set": "WARN",
    "request-parameter-exclusive-max-decreased": "ERR",
    "request-parameter-exclusive-max-increased": "INFO",
    "request-parameter-min-set": "WARN",
    "request-parameter-min-increased": "ERR",
    "request-parameter-min-decreased": "INFO",
    "request-parameter-exclusive-min-set": "WARN",
    "request-parameter-exclusive-min-increased": "ERR",
    "request-parameter-exclusive-min-decreased": "INFO",
    "request-parameter-max-items-decreased": "ERR",
    "request-parameter-max-items-increased": "INFO",
    "request-parameter-min-items-set": "WARN",
    "request-parameter-min-items-increased": "ERR",
    "request-parameter-min-items-decreased": "INFO",
    "request-parameter-default-value-added": "ERR",
    "request-parameter-default-value-removed": "ERR",
    "request-parameter-default-value-changed": "ERR",
    # request bodies
    "request-body-added-required": "ERR",
    "request-body-added-optional": "INFO",
    "request-body-removed": "ERR",
    "request-body-became-required": "ERR",
    "request-body-became-optional": "INFO",
    "request-body-media-type-added": "INFO",
    "request-body-media-type-removed": "ERR",
    "request-body-media-type-schema-added": "ERR",
    "request-body-media-type-schema-removed": "INFO",
    "request-body-type-changed": "ERR",
    "request-body-type-generalized": "INFO",
    "request-body-became-nullable": "INFO",
    "request-body-became-not-nullable": "ERR",
    "request-body-became-enum": "ERR",
    "request-body-enum-value-removed": "ERR",
    "request-body-const-added": "ERR",
    "request-body-const-changed": "ERR",
    "request-body-const-removed": "INFO",
    "request-body-max-length-set": "WARN",
    "request-body-max-length-decreased": "ERR",
    "request-body-max-length-increased": "INFO",
    "request-body-min-length-increased": "ERR",
    "request-body-min-length-decreased": "INFO",
    "request-body-max-set": "WARN",
    "request-body-max-decreased": "ERR",
    "request-body-max-increased": "INFO",
    "request-body-exclusive-max-set": "WARN",
    "request-body-exclusive-max-decreased": "ERR",
    "request-body-exclusive-max-increased": "INFO",
    "request-body-min-set": "WARN",
    "request-body-min-increased": "ERR",
    "request-body-min-decreased": "INFO",
    "request-body-exclusive-min-set": "WARN",
    "request-body-exclusive-min-increased": "ERR",
    "request-body-exclusive-min-decreased": "INFO",
    "request-body-min-items-set": "WARN",
    "request-body-min-items-increased": "ERR",
    "request-body-default-value-added": "INFO",
    "request-body-default-value-removed": "INFO",
    "request-body-default-value-changed": "INFO",
    "request-body-any-of-added": "INFO",
    "request-body-any-of-removed": "ERR",
    "request-body-one-of-added": "INFO",
    "request-body-one-of-removed": "ERR",
    # request properties
    "new-required-request-property": "ERR",
    "new-optional-request-property": "INFO",
    "request-property-removed": "WARN",
    "request-property-became-required": "ERR",
    "request-property-became-optional": "INFO",
    "request-property-type-changed": "ERR",
    "request-property-type-generalized": "INFO",
    "request-property-became-nullable": "INFO",
    "request-property-became-not-nullable": "ERR",
    "request-property-became-enum": "ERR",
    "request-property-enum-value-added": "INFO",
    "request-property-enum-value-removed": "ERR",
    "request-property-const-added": "ERR",
    "request-property-const-changed": "ERR",
    "request-property-const-removed": "INFO",
    "request-property-pattern-added": "ERR",
    "request-property-pattern-changed": "WARN",
    "request-property-pattern-removed": "INFO",
    "request-property-max-length-set": "WARN",
    "request-property-max-length-decreased": "ERR",
    "request-property-max-length-increased": "INFO",
    "request-property-min-length-increased": "ERR",
    "request-property-min-length-decreased": "INFO",
    "request-property-max-set": "WARN",
    "request-property-max-decreased": "ERR",
    "request-property-max-increased": "INFO",
    "request-property-exclusive-max-set": "WARN",
    "request-property-exclusive-max-decreased": "ERR",
    "request-property-exclusive-max-increased": "INFO",
    "request-property-min-set": "WARN",
    "request-property-min-increased": "ERR",
    "request-property-min-decreased": "INFO",
    "request-property-exclusive-min-set": "WARN",
    "request-property-exclusive-min-increased": "ERR",
    "request-property-exclusive-min-decreased": "INFO",
    "request-property-min-items-set": "WARN",
    "request-property-min-items-increased": "ERR",
    "request-property-default-value-added": "INFO",
    "request-property-default-value-removed": "INFO",
    "request-property-default-value-changed": "INFO",
    "request-property-any-of-added": "INFO",
    "request-property-any-of-removed": "ERR",
    "request-property-one-of-added": "INFO",
    "request-property-one-of-removed": "ERR",
    # responses
    "response-success-status-removed": "ERR",
    "response-success-status-added": "INFO",
    "response-non-success-status-removed": "INFO",
    "response-non-success-status-added": "INFO",
    "response-media-type-removed": "ERR",
    "response-media-type-added": "INFO",
    "response-media-type-name-changed": "INFO",
    "response-media-type-name-generalized": "ERR",
    "response-media-type-name-specialized": "INFO",
    "response-body-media-type-schema-added": "INFO",
    "response-body-media-type-schema-removed": "WARN",
    "required-response-header-removed": "ERR",
    "optional-response-header-removed": "WARN",
    "response-header-became-optional": "ERR",
    "response-header-added": "INFO",
    "response-header-type-changed": "ERR",
    "response-header-type-generalized": "ERR",
    "response-header-type-specialized": "INFO",
    "response-header-became-nullable": "ERR",
    "response-header-became-not-nullable": "INFO",
    # response bodies and properties
    "response-body-type-changed": "ERR",
    "response-body-type-generalized": "ERR",
    "response-body-type-specialized": "INFO",
    "response-body-became-nullable": "ERR",
    "response-body-became-not-nullable": "INFO",
    "response-body-const-added": "INFO",
    "response-body-const-removed": "ERR",
    "response-body-const-changed": "ERR",
    "response-body-max-length-increased": "ERR",
    "response-body-max-length-unset": "ERR",
    "response-body-min-length-decreased": "ERR",
    "response-body-max-increased": "ERR",
    "response-body-exclusive-max-increased": "ERR",
    "response-body-min-decreased": "ERR",
    "response-body-exclusive-min-decreased": "ERR",
    "response-body-min-items-decreased": "ERR",
    "response-body-min-items-unset": "ERR",
    "response-body-default-value-added": "INFO",
    "response-body-default-value-removed": "INFO",
    "response-body-default-value-changed": "INFO",
    "response-body-any-of-added": "INFO",
    "response-body-any-of-removed": "INFO",
    "response-body-one-of-added": "ERR",
    "response-body-one-of-removed": "INFO",
    "response-required-property-removed": "ERR",
    "response-optional-property-removed": "WARN",
    "response-required-property-added": "INFO",
    "response-optional-property-added": "INFO",
    "response-property-became-optional": "ERR",
    "response-property-became-required": "INFO",
    "response-property-type-changed": "ERR",
    "response-property-type-generalized": "ERR",
    "response-property-type-specialized": "INFO",
    "response-property-became-nullable": "ERR",
    "response-property-became-not-nullable": "INFO",
    "response-property-enum-value-added": "WARN",
    "response-property-enum-value-removed": "INFO",
    "response-property-const-added": "INFO",
    "response-property-const-removed": "ERR",
    "response-property-const-changed": "ERR",
    "response-property-pattern-added": "INFO",
    "response-property-pattern-changed": "INFO",
    "response-property-pattern-removed": "INFO",
    "response-property-max-length-increased": "ERR",
    "response-property-max-length-unset": "ERR",
    "response-property-min-length-decreased": "ERR",
    "response-property-max-increased": "ERR",
    "response-property-exclusive-max-increased": "ERR",
    "response-property-min-decreased": "ERR",
    "response-property-exclusive-min-decreased": "ERR",
    "response-property-min-items-decreased": "ERR",
    "response-property-min-items-unset": "ERR",
    "response-property-default-value-added": "INFO",
    "response-property-default-value-removed": "INFO",
    "response-property-default-value-changed": "INFO",
    "response-property-any-of-added": "INFO",
    "response-property-any-of-removed": "INFO",
    "response-property-one-of-added": "ERR",
    "response-property-one-of-removed": "INFO",
}

# Changes oasdiff has no rule for, judged by this tool.
OWN: dict[str, str] = {
    "security-alternative-dropped": BREAKING,
    "security-alternative-added": INFO,
    "request-body-media-type-name-changed": INFO,
    "request-property-max-items-decreased": BREAKING,
    "request-property-additional-properties-closed": BREAKING,
    "response-property-additional-properties-opened": BREAKING,
    "request-property-not-changed": WARNING,
    "response-property-not-changed": WARNING,
    "request-property-enum-removed": INFO,
    "response-property-enum-removed": WARNING,
    "error-response-removed-without-default": WARNING,
}

# Where this tool's level differs from oasdiff's, on purpose (reasons in docs/spec-review.md).
DEVIATIONS: dict[str, str] = {
    "api-security-added": BREAKING,
    "api-security-scope-added": BREAKING,
    "api-global-security-added": BREAKING,
    "api-global-security-scope-added": BREAKING,
    "api-security-component-type-changed": BREAKING,
}

# A more specific family falls back to a more general one where oasdiff has no rule of its own.
_FALLBACK = {
    "request-body": "request-property",
    "request-parameter": "request-property",
    "response-body": "response-property",
    "response-header": "response-property",
}


def level_of(rule: str) -> str:
    """The level this tool gives `rule`; KeyError for a rule it does not know."""
    if rule in DEVIATIONS:
        return DEVIATIONS[rule]
    if rule in OASDIFF:
        return _FROM_OASDIFF[OASDIFF[rule]]
    return OWN[rule]


def rule_for(family: str, suffix: str) -> str | None:
    """`request-body` + `enum-value-removed`: the most specific known rule for the change, or None
    where neither oasdiff nor this tool judges it (a tighter bound on a response, say)."""
    while True:
        rule = f"{family}-{suffix}"
        if rule in OASDIFF or rule in OWN:
            return rule
        if family not in _FALLBACK:
            return None
        family = _FALLBACK[family]


def is_oasdiff_rule(rule: str) -> bool:
    """Whether the id is one of oasdiff's (else this tool's own)."""
    return rule in OASDIFF
