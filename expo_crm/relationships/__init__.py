"""Relationships: interactions, the life cycle, alerts, health, value, complaints."""

# Connects the timeline to the signals of mail and check-in whenever relationships is loaded.
from expo_crm.relationships import receivers  # noqa: F401
