"""Staff sign-in, roles and the one place where every request is authorised."""
