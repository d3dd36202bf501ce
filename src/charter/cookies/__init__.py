"""The cookie banner built from the policy's cookie table, and the proof of every choice."""
