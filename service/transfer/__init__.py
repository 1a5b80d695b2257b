"""Bringing a provider's data in and letting it out: the sheets (one per kind of record,
the same columns for export and import) and the full export."""
