"""Exhibitors blueprint: companies, applications, booths, contracts, payments, portal, leads."""
