"""Tests under attack and faults: property-based input, the OpenAPI contract, a busy database, limits."""
