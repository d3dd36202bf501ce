"""Data-subject rights: intake, identity, the legal clock, and fulfilment in every system."""
