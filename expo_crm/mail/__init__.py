"""The mail outbox: every email is a row first, sent after the commit that made it."""
