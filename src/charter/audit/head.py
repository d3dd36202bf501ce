"""The head of an audit chain as an operator copies it out of the database: ``SEQ:HASH``.

The database records its own head, which shows events deleted from the end of the log. Someone
who can write both tables can rewrite that too; a head kept elsewhere (``charter audit head``)
and given back to ``charter audit verify --expect`` shows that as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInput
from ..models.organization import GENESIS_HASH

_FORM = re.compile(r"(\d+):([0-9a-f]{64})")


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        found = _FORM.fullmatch(text.strip().lower())
        if found is None:
            raise InvalidInput(f"{text!r} is not a chain head: expected SEQ:HASH, as printed "
                               "by `charter audit head` (a number, a colon, 64 hex digits)")
        head = cls(int(found.group(1)), found.group(2))
        if head.seq == 0 and head.hash != GENESIS_HASH:
            raise InvalidInput(f"{text!r} is not a chain head: before event 1 the hash is "
                               "all zeros")
        return head

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


EMPTY = ChainHead(0, GENESIS_HASH)
"""The head of a log with no event yet."""
