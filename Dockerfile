# The observatory API. Wheels of pyogrio, rasterio and pyproj bundle GDAL/PROJ, so the slim image
# needs no system packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
RUN pip install .

EXPOSE 8000
CMD ["observatory", "serve", "--host", "0.0.0.0"]
