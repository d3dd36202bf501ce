from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_\-]*$", min_length=1, max_length=64)
]
"""Ids are lowercase words joined by ``_`` or ``-`` so they read well in URLs and logs."""

COUNTRY = re.compile(r"^[A-Z]{2}$")
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)


class Strict(BaseModel):
    """Every policy model refuses unknown keys: a typo must not silently drop a promise."""

    model_config = ConfigDict(extra="forbid", frozen=True)
