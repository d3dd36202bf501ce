"""Publishing the notice: immutable versions, change notices, and the answers to them."""
