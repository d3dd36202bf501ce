"""Complaints from people and supervisory authorities."""
