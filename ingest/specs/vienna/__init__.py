"""Vienna feed specs (Stadt Wien open data)."""
