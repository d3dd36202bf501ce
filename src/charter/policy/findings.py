"""What `charter check` reports: a finding at a place in the policy file, with its rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .loader import Location, key_path

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    location: Location
    message: str
    rule: str
    line: int = 0
    column: int = 0

    def format(self, file: str) -> str:
        return (
            f"{file}:{self.line}:{self.column}: {self.severity}: {key_path(self.location)}: "
            f"{self.message} [{self.rule}]"
        )


def error(location: Location, message: str, rule: str) -> Finding:
    return Finding("error", location, message, rule)


def warning(location: Location, message: str, rule: str) -> Finding:
    return Finding("warning", location, message, rule)
