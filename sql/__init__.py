"""The schema and query files, installed as the package ``observatory.sql`` (see setup.py).

A regular package, not a namespace one, so that setuptools' editable installs can map it too.
"""
