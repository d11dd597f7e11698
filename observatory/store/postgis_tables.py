"""SQLAlchemy/GeoAlchemy2 views of the tables the PostGIS store reads with geometry.

The DDL itself lives in ``sql/postgis``; these definitions only type the columns for queries.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Column, Date, Float, MetaData, Table, Text

metadata = MetaData()

district = Table(
    "district",
    metadata,
    Column("city", Text, primary_key=True),
    Column("code", Text, primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("name_en", Text),
    Column("name_ar", Text),
    Column("area_m2", Float),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
    Column("ingest_run", Text),
)
