"""The web API and map pages: ``create_app`` in ``observatory.api.app`` builds them."""
