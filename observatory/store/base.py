"""The one protocol every store implements; the store test suite runs it on each backend.

Frames crossing this boundary follow the column contracts in ``observatory.models``:
districts are GeoDataFrames in EPSG:4326, observations and indicator values plain DataFrames.
Districts, observations, indicator values and tiles belong to one of the city's geographic
levels: ``level=None`` is the city's top level.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from observatory.models import (
    Attachment,
    City,
    DistrictFeatures,
    ExternalPeer,
    IngestRun,
    Level,
    RejectedRow,
    Upload,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


# (minx, miny, maxx, maxy) in EPSG:4326
Bounds = tuple[float, float, float, float]


class StoreError(RuntimeError):
    """A problem with the store that the user can act on; the message says how. The backends
    raise it (or one of the kinds below) for every driver error: none crosses this protocol."""


class ConflictError(StoreError):
    """A row repeats a key the store already holds (a unique or primary key)."""


class ConstraintError(StoreError):
    """A row breaks a rule of the schema other than a key: a check, a NOT NULL, a reference."""


class UnavailableError(StoreError):
    """The store cannot be reached or opened: a server down, a file locked by another writer."""


class SchemaMissingError(StoreError):
    """The store lacks (part of) the schema: `observatory init` applies it."""


class ReadOnlyCityError(ConflictError):
    """A write to a city imported from another observatory's bundle (an external peer)."""

    @classmethod
    def for_city(cls, city: str) -> ReadOnlyCityError:
        return cls(f"The city {city!r} is an external peer, imported from another "
                   "observatory's benchmark bundle: it is read-only here, nothing is ingested "
                   "or computed for it. Fix: ingest and compute at its origin observatory and "
                   "import its newer bundle (observatory bundle import FILE).")


@runtime_checkable
class Store(Protocol):
    url: str
    backend: str  # "duckdb" or "postgis"

    def init_schema(self) -> list[str]:
        """Apply the numbered SQL files not yet applied; return their names. Safe to repeat."""

    def schema_version(self) -> list[str]:
        """Names of the applied schema files; empty when the store was never initialised."""

    def data_version(self) -> int:
        """A number the store raises in the same transaction as every write, so a reader
        (a response cache, in any process) knows what it kept is stale; one cheap query."""

    def close(self) -> None: ...

    # cities ---------------------------------------------------------------------------------
    def upsert_city(self, city: City) -> None: ...
    def cities(self) -> list[City]: ...
    def city(self, slug: str) -> City | None: ...

    # ingest -----------------------------------------------------------------------------------
    def find_run(self, city: str, feed: str, content_hash: str) -> IngestRun | None:
        """The latest succeeded run that loaded exactly this content, if any."""

    def load(
        self,
        run: IngestRun,
        *,
        districts: gpd.GeoDataFrame | None = None,
        valid_from: date | None = None,
        observations: pd.DataFrame | None = None,
        events: gpd.GeoDataFrame | None = None,
        rejected: Sequence[RejectedRow] = (),
        replaces: Sequence[str] = (),
        event_layers: Sequence[str] = (),
        level: Level | None = None,
        valid_to: date | None = None,
        crosswalk: pd.DataFrame | None = None,
    ) -> IngestRun:
        """Write one ingest run in one transaction: all of it lands or none of it.

        Rows of earlier runs of the same (city, feed, ``run.spec_name``) within this run's
        scope are replaced, so a corrected file supersedes the old one: observations in the
        periods x variables it loads, events in the layers it loads (and ``event_layers``, the
        layers its spec can give) between its first and last time. The rows of the runs whose
        ids are in ``replaces`` go whole. Districts become a boundary version starting at
        ``valid_from`` (earlier versions are closed, not deleted; the same valid_from is
        replaced; ``valid_to`` ends it where no later version does). Observations are upserted
        on (city, level, district_code, period, variable, dims). Districts and observations
        belong to ``level`` (declared or updated by this run; None: the top level, ``district``
        for a city without levels). A ``crosswalk`` (``CROSSWALK_COLUMNS``) replaces the
        city's. Events (``EVENT_COLUMNS``) are added. Returns the run with its counts and
        status.
        """

    def rows_held(self, run_id: str) -> int:
        """How many districts, observations and events the store still holds from this run
        (fewer than it loaded once a later run replaced some)."""

    def runs(self, city: str | None = None) -> list[IngestRun]: ...
    def run(self, run_id: str) -> IngestRun | None: ...
    def rejected_rows(self, run_id: str) -> list[RejectedRow]: ...

    # levels and boundary versions -------------------------------------------------------------
    def levels(self, city: str) -> list[Level]:
        """The city's levels, top first, each after its parent (``district`` alone when it
        declared none)."""

    def boundary_versions(self, city: str) -> pd.DataFrame:
        """``level``, ``valid_from``, ``valid_to``, ``areas`` of every boundary version."""

    def version_districts(self, city: str, level: str, valid_from: date) -> gpd.GeoDataFrame:
        """The areas of one boundary version (with ``parent_code``), EPSG:4326."""

    def crosswalk(self, city: str) -> pd.DataFrame:
        """The city's crosswalk rows (``CROSSWALK_COLUMNS``)."""

    # reading ----------------------------------------------------------------------------------
    def districts(self, city: str, as_of: date | None = None,
                  level: str | None = None) -> gpd.GeoDataFrame:
        """Areas of ``level`` valid on ``as_of`` (default: the current version), EPSG:4326,
        with their ``parent_code``."""

    def extent(self, city: str) -> Bounds | None:
        """The lon/lat box of the city's districts (every version) and events; None when it
        has neither."""

    def observations(
        self,
        city: str,
        variables: Sequence[str] | None = None,
        periods: Sequence[str] | None = None,
        level: str | None = None,
        every_level: bool = False,
    ) -> pd.DataFrame:
        """Observations of ``level`` (or, ``every_level``, of all), with a ``level`` column."""

    def periods(self, city: str, variable: str | None = None) -> list[str]: ...

    def events(
        self,
        city: str,
        layer: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: Sequence[str] = ("published",),
    ) -> gpd.GeoDataFrame:
        """Point events (EPSG:4326) of a layer, in [start, end), with the given statuses."""

    # field reports and API keys -------------------------------------------------------------
    def add_event(self, city: str, event: gpd.GeoDataFrame, submitter: str) -> None:
        """Add single events outside any ingest run (a field report, status as given)."""

    def set_event_status(self, event_id: str, status: str) -> bool:
        """Publish or reject an event; False when there is no such event."""

    def add_attachment(self, attachment: Attachment) -> None: ...
    def attachments(self, event_id: str) -> list[Attachment]: ...

    def add_api_key(self, key_hash: str, role: str, label: str) -> None: ...
    def api_key_role(self, key_hash: str) -> str | None: ...

    # uploads ----------------------------------------------------------------------------------
    def save_upload(self, upload: Upload) -> None:
        """Remember a new upload (not a data change: the data version stays)."""

    def update_upload(self, upload: Upload) -> None:
        """Store ``upload``'s status, spec, job, run, message and ``file_kept``."""

    def upload(self, upload_id: str) -> Upload | None: ...
    def uploads(self, city: str) -> list[Upload]:
        """The city's uploads, newest first."""

    # paged features and vector tiles (OGC API Features, MVT) -----------------------------------
    def district_page(
        self,
        city: str,
        *,
        bbox: Bounds | None = None,
        limit: int | None = None,
        offset: int = 0,
        code: str | None = None,
        as_of: date | None = None,
        level: str | None = None,
    ) -> tuple[gpd.GeoDataFrame, int]:
        """One page of current districts (ordered by code) whose bounding box meets ``bbox``
        (lon/lat), and how many match in all."""

    def district_features(
        self,
        city: str,
        *,
        indicator_id: str | None = None,
        period: str | None = None,
        bbox: Bounds | None = None,
        limit: int | None = None,
        offset: int = 0,
        code: str | None = None,
        as_of: date | None = None,
        level: str | None = None,
    ) -> DistrictFeatures:
        """The page :meth:`district_page` selects, as feature rows with GeoJSON geometry; with
        ``indicator_id`` each district carries that indicator's value of ``period`` (default
        the latest), suppressed values included: hiding them is the caller's part."""

    def event_page(
        self,
        city: str,
        layer: str,
        *,
        bbox: Bounds | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: Sequence[str] = ("published",),
        limit: int | None = None,
        offset: int = 0,
        event_id: str | None = None,
    ) -> tuple[gpd.GeoDataFrame, int]:
        """One page of a layer's events (ordered by time, id), and how many match in all."""

    def event_layer_sizes(self, city: str,
                          statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        """Per event layer: ``layer``, ``events``, ``days`` (distinct UTC days) and the
        lon/lat box ``west``, ``south``, ``east``, ``north``."""

    def event_day_cells(self, city: str, layer: str, *, cell: float, west: float,
                        south: float, statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        """The layer's events counted exactly per square of ``cell`` degrees (from ``west``,
        ``south``) and UTC day: ``day``, ``events``, and the mean ``lon``, ``lat`` of them."""

    def event_cells(self, city: str, layers: Sequence[str], *, cell: float, west: float,
                    south: float, start: datetime | None = None, end: datetime | None = None,
                    statuses: Sequence[str] = ("published",)) -> pd.DataFrame:
        """The events of ``layers`` in [start, end) counted exactly per square of ``cell``
        degrees (from ``west``, ``south``): ``events`` and the mean ``lon``, ``lat`` of them."""

    def event_layers(self, city: str, statuses: Sequence[str] = ("published",)) -> list[str]:
        """Event layers of a city holding at least one event with one of ``statuses``."""

    def published_attachment(self, sha256: str) -> Attachment | None:
        """The attachment with this content hash whose event is published, if any."""

    def district_tile(self, city: str, z: int, x: int, y: int, *, layer: str,
                      as_of: date | None = None, level: str | None = None) -> bytes:
        """A Mapbox vector tile of the current districts (empty bytes: nothing in the tile)."""

    def indicator_tile(self, city: str, indicator_id: str, z: int, x: int, y: int, *,
                       layer: str, period: str | None = None,
                       as_of: date | None = None, level: str | None = None) -> bytes:
        """Districts with one indicator's values of ``period`` (default: the latest); a
        suppressed value has no value and no score in the tile."""

    def event_tile(self, city: str, event_layer: str, z: int, x: int, y: int, *, layer: str,
                   statuses: Sequence[str] = ("published",)) -> bytes:
        """A Mapbox vector tile of a layer's events: each event with its properties while the
        tile holds at most ``tiles.MAX_POINTS`` of them; past that, one point per occupied
        cell of a ``tiles.GRID`` × ``tiles.GRID`` grid with the exact ``count`` of its events,
        so a tile stays small whatever the number of events."""

    # indicators -------------------------------------------------------------------------------
    def put_indicator_values(self, city: str, values: pd.DataFrame,
                             level: str | None = None,
                             definitions: pd.DataFrame | None = None) -> int:
        """Replace the values of the (level, indicator_id, period) sets present in ``values``
        (rows without a ``level`` column: ``level``). An ``estimate`` column names the method
        of values carried from other boundaries. ``definitions`` (``period`` and the
        DEFINITION_COLUMNS): the definitions of values that no definition file holds (a
        city's ICC questionnaire), written in the same transaction; each replaces the city's
        definition of the same (period, definition_id)."""

    def indicator_periods(self, city: str, indicator_id: str | None = None,
                          level: str | None = None) -> pd.DataFrame:
        """The (indicator_id, period) pairs that have values, sorted: a cheap catalogue."""

    def indicator_values(
        self, city: str, indicator_id: str | None = None, period: str | None = None,
        district_codes: Sequence[str] | None = None,
        level: str | None = None,
    ) -> pd.DataFrame:
        """Stored values of ``level``, optionally of one indicator, period and set of
        districts."""

    def stored_definitions(self, city: str) -> pd.DataFrame:
        """The definitions stored with the city's values (``put_indicator_values``'
        ``definitions``): ``period`` and the DEFINITION_COLUMNS, by definition id and period."""

    def published_values(self) -> pd.DataFrame:
        """Every city's published values (not suppressed, with a value) at its top level, in
        one read: ``city``, ``district_code`` (None at city level), ``period``,
        ``indicator_id``, ``value``, ``coverage``, ``definition_hash``, ``estimate``; sorted by city,
        indicator, period, city level first. What the comparison of cities reads."""

    # external peers (benchmark bundles) ---------------------------------------------------------
    def external_peers(self) -> list[ExternalPeer]:
        """The cities imported from other observatories' bundles, by slug."""

    def put_external_peer(self, peer: ExternalPeer, city: City, values: pd.DataFrame) -> None:
        """Hold ``city`` as an external peer with its city-level ``values`` (the
        INDICATOR_VALUE_COLUMNS, ``source_runs``, ``estimate``), in one transaction: an earlier
        bundle of the city, its record and all its values, goes. Refused (ReadOnlyCityError)
        for a city of this store's own. ``load`` and ``put_indicator_values`` refuse an
        external peer the same way: it is read-only."""
