"""The web API: routers by resource (:mod:`observatory.api.routers`); the app serving them and
the pages is built by ``observatory.app.create_app``."""
