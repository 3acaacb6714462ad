"""Professional visitors blueprint: registration, badges, check-in, on-site desk, attendance."""
