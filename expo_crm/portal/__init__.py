"""The exhibitor portal: every page a signed-in exhibitor sees, under /portal.

Blueprint layer: it calls the services of the packages that own the data (exhibitors,
suppliers, relationships) and nothing imports it but the app factory."""
