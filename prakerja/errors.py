"""Errors that map to the CLI's documented exit codes (0 ok, 1 data/gate failure, 2 usage)."""

from __future__ import annotations


class PrakerjaError(Exception):
    """Base class: the message is shown to the user as it is, without a traceback."""

    exit_code = 1


class DataError(PrakerjaError):
    """Bad data or a failed gate: exit 1."""

    exit_code = 1


class GateFailed(DataError):
    """A quality gate (dbt test, critical expectation) failed: nothing is published."""


class UsageError(PrakerjaError):
    """Bad arguments, missing configuration or unreadable input paths: exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """Configuration (environment variables) is missing or invalid: exit 2."""
