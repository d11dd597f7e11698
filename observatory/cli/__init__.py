"""The ``observatory`` command line (console script ``observatory = observatory.cli:app``)."""

from observatory.cli.main import app

__all__ = ["app"]
