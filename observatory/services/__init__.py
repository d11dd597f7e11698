"""What the front doors (API, web pages, CLI, demo) share: the indicator catalogue and its
display, visibility by role, map inputs and pages, heat surfaces, a city's metric CRS, layer
ids, district profiles and segregation. Nothing here knows FastAPI: a request that cannot be
answered raises a :mod:`observatory.services.errors` error whose message says how to fix it,
and each front door turns it into its own answer (an HTTP status, a CLI exit)."""
