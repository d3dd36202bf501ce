"""Which connector answers a system of each kind, once the policy configures it. A system
not configured yet (an sql system without tables, a webhook without its URL) is answered
by its people, as the README's decisions say."""

from __future__ import annotations

from ..policy.processing import System
from ..rights.connectors import Connector
from .sql import SqlConnector
from .webhook import WebhookConnector


def configured_connector(system: System) -> Connector | None:
    if system.kind == "sql" and system.sql is not None and system.sql.tables \
            and system.url_env:
        return SqlConnector(system)
    if system.kind == "webhook" and system.url and system.secret_env:
        return WebhookConnector(system)
    return None
