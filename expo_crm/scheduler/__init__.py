"""Scheduled jobs: the service plan, the scheduler process, the jobs console."""
