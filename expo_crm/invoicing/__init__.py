"""Invoicing: invoices, receipts and credit notes numbered without gaps, what is paid and due,
overdue reminders, the accountant's export, and fapiao requests from the portal."""
