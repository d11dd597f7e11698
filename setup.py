"""pyproject.toml holds the project's metadata; this adds the one thing it cannot say: the
top-level sql/ folder (the schema's source, see DESIGN.md) ships inside the installed package as
observatory.sql, so that a wheel, `pip install .` and the Docker image carry the schema."""

from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(include=["observatory*", "ingest*", "indicators*", "maps*"])
SQL_PACKAGES = ["observatory.sql", *(f"observatory.sql.{name}"
                                     for name in find_namespace_packages("sql"))]

setup(packages=PACKAGES + SQL_PACKAGES, package_dir={"observatory.sql": "sql"})
