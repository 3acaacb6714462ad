"""Documents: PDF from templates (WeasyPrint) and QR codes."""
