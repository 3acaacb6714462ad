"""Satisfaction surveys: builder, campaigns, one-time links, results."""
