"""Nominations for commendation: rounds, the form's drafts, submission with duplicate detection
and reference codes, the council's review, and the XLSX export."""
