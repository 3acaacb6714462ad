"""Partners blueprint: directory, agreements, deliverables, referral codes, sponsorship."""
