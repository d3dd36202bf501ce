"""Server logs without personal data. Charter's own messages carry ids, counts and kinds of
error only: an exception's message may quote an address or a name (a validation error, a
database error echoing a value), so failures are logged by type and place, never by text or
traceback. Libraries that would log SQL parameters or request bodies are kept quiet, and
e-mail and IP addresses that slip through anyway are masked at the handler."""

from __future__ import annotations

import logging
import re
import traceback

QUIET = ("sqlalchemy", "python_multipart", "multipart", "httpx", "httpx2", "httpcore",
         "asyncio", "mail.log")  # mail.log: aiosmtpd and smtplib's conversation
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
HEX = "[0-9A-Fa-f]{1,4}"
# whole addresses (four groups and more: a time of day has three) and "::" abbreviations
IPV6 = re.compile(rf"(?<![\w:])(?:(?:{HEX}:){{3,7}}{HEX}|(?:{HEX}(?::{HEX})*)?::"
                  rf"(?:{HEX}(?::{HEX})*)?)(?![\w:])")


def failure(exc: BaseException) -> str:
    """``ValueError at charter/rights/fulfilment.py:212``: what failed and where, no message."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        path = last.filename.split("/src/")[-1].split("site-packages/")[-1]
        where = f" at {path}:{last.lineno}"
    return f"{type(exc).__name__}{where}"


class MaskingFormatter(logging.Formatter):
    """The last line of defence: addresses that reach a log line are masked."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return IPV6.sub("[ip]", IPV4.sub("[ip]", EMAIL.sub("[e-mail]", text)))


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
