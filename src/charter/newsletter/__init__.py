"""The newsletter: double opt-in, manual subscriptions, campaigns, one-click unsubscribe."""
