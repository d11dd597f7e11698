"""The web pages (English and Arabic): city list, dashboard, district profile, ingest runs and
the field form. They are rendered with Jinja2 and load every script and stylesheet from the
observatory itself (``/static`` and ``/web/static``), never from a CDN."""
