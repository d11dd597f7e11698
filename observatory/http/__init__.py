"""FastAPI plumbing both HTTP front doors (``observatory.api`` and ``observatory.web``) share:
the app factory and its lifespan, the dependencies routes receive, and the one set of exception
handlers that turns the services' errors into HTTP answers. It knows neither front door: the
app that serves them both is put together in :mod:`observatory.app`."""
