"""Exhibitors: companies, applications, booths, contracts, payments, portal accounts, leads."""
