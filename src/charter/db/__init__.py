"""Database access: engines, sessions, migrations, scoping guard."""

from .engine import CharterSession, make_engine, make_sessionmaker, transaction
from .migrate import upgrade
from .scoping import UnscopedQuery, check_statement

__all__ = [
    "CharterSession",
    "UnscopedQuery",
    "check_statement",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "upgrade",
]
