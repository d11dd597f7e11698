"""Municipal migration-data observatory: core (settings, models, store) and front doors."""

__version__ = "0.1.0"
