"""Suppliers blueprint: directory, documents, service catalogue, service orders, evaluations."""
