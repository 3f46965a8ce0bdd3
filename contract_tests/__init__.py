"""Contract tests for ZITADEL's login-policy MFA API, runnable against any base URL."""
