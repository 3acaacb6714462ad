"""The shared product category tree (zh/en names, a parent, a code) that exhibitors offer and
visitors seek; staff maintain it and import it from Excel."""
