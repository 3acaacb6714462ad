"""Staff blueprint: the dashboard, staff and roles, tasks, the team view."""
