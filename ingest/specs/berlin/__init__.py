"""Berlin feed specs (Amt für Statistik Berlin-Brandenburg via open-data-product)."""
