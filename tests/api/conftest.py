"""An app on a real store of each backend, seeded with a tiny city through the store protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_access import MAX_PHOTO_BYTES
from api_seed import CITY, indicator_values, seed_districts
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.keys import ROLES, create_api_key
from observatory.settings import ApiSettings, FieldSettings, StoreSettings
from observatory.store import Store


@pytest.fixture
def seeded(store: Store) -> Store:
    seed_districts(store)
    store.put_indicator_values(CITY.slug, indicator_values("2024", [0.05, 0.10, 0.20, 0.40]))
    store.put_indicator_values(
        CITY.slug, indicator_values("2025", [0.06, 0.12, None, 0.42], suppressed={"103"})
    )
    return store


@pytest.fixture
def client(seeded: Store, store_url: str) -> Iterator[TestClient]:
    """The API on the same store, as ``observatory serve`` would run it."""
    app = create_app(StoreSettings(database_url=store_url), ApiSettings())
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keys(seeded: Store) -> dict[str, str]:
    """A plain API key per role, created as an administrator would."""
    return {role: create_api_key(seeded, role, f"{role} key for tests") for role in ROLES}


@pytest.fixture
def api(seeded: Store, store_url: str, tmp_path) -> Iterator[TestClient]:
    """The API on the seeded store, keeping photos under ``tmp_path / 'photos'``."""
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings(),
                     FieldSettings(max_photo_bytes=MAX_PHOTO_BYTES))
    with TestClient(app) as test_client:
        yield test_client

