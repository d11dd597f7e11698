# The observatory API. Wheels of pyogrio, rasterio and pyproj bundle GDAL/PROJ, so the slim image
# needs no system packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
# Editable, because the store reads the schema files from the top-level sql/ directory of the
# source tree, which a plain `pip install .` would not carry into site-packages.
RUN pip install -e .

EXPOSE 8000
CMD ["observatory", "serve", "--host", "0.0.0.0"]
