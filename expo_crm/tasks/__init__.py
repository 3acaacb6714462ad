"""Follow-up tasks for staff, made by hand or by the system."""
