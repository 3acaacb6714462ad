"""Relationships: interactions, the life cycle, alerts, health, value, complaints."""
