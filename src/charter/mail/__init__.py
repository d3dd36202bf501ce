"""Mail: the outbox every message goes through, SMTP delivery, templates and mail links."""
