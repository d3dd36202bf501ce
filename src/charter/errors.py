"""Errors a user can act on. The CLI prints them as one line and exits with their code."""

from __future__ import annotations


class CharterError(Exception):
    """Base of every error meant for a person rather than a traceback."""

    exit_code = 2


class InvalidInput(CharterError):
    """Bad input: a wrong argument, an unreadable file, a policy that does not validate."""

    exit_code = 2


class NotFound(CharterError):
    exit_code = 4


class Conflict(CharterError):
    exit_code = 5


class EnvironmentProblem(CharterError):
    """Something around Charter is missing: the key, the database, a directory."""

    exit_code = 3
