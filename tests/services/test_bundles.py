"""Benchmark bundles on both stores: only published city-level values leave; a bundle that
fails a check is refused with nothing loaded; an imported city is a read-only external peer."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from indicators.compute import compute_frameworks
from indicators.definitions import load_frameworks
from ingest.feeds import family
from ingest.runner import run_feed
from observatory.models import City, IngestRun, canonical_dims
from observatory.services.bundle_format import BundleRefused
from observatory.services.bundles import export_bundle, import_bundle
from observatory.services.peers import external_cities
from observatory.settings import DisclosureSettings
from observatory.store import Store, open_store
from observatory.store.base import ReadOnlyCityError

MIN = 15
CITY = City("harran", "Harran", "حران", "TR", "EPSG:32637", 310_000)
FRAMEWORKS = load_frameworks()
DEFS = {d.id: d for f in FRAMEWORKS.values() for d in f.indicators}


def _seed(store: Store, share: float = 0.0304) -> str:
    """A city with one census run and values: city-level published ones, a suppressed one and
    a district one (those two must never leave)."""
    store.upsert_city(CITY)
    districts = gpd.GeoDataFrame({"code": ["01"], "name_en": ["Old town"], "name_ar": ["البلدة"],
                                  "area_m2": [1.0e6]},
                                 geometry=[shapely.box(39.0, 36.8, 39.1, 36.9)], crs="EPSG:4326")
    store.load(IngestRun(city=CITY.slug, feed="boundaries", source_name="b.geojson",
                         content_hash="b" * 64), districts=districts,
               valid_from=date(2020, 1, 1))
    run = store.load(IngestRun(city=CITY.slug, feed="census", source_name="c.csv",
                               content_hash="c" * 64, spec_name="census_spec.yaml"),
                     observations=pd.DataFrame({
                         "district_code": ["01"], "period": ["2024"],
                         "variable": ["population"],
                         "dims": [canonical_dims({"citizenship": "national"})],
                         "value": [1000.0], "unit": ["persons"]}))
    rows = [
        (None, "foreign_citizens_share", share, None, False, DEFS["foreign_citizens_share"].hash),
        (None, "citizenship_share.syrian", 0.0121, None, False, DEFS["citizenship_share"].hash),
        (None, "foreign_born_share", 0.002, None, True, DEFS["foreign_born_share"].hash),
        ("01", "foreign_citizens_share", 0.05, None, False, DEFS["foreign_citizens_share"].hash),
        (None, "cpi", 47.5, 47.5, False, FRAMEWORKS["cpi"].hash),
    ]
    store.put_indicator_values(CITY.slug, pd.DataFrame([{
        "district_code": code, "period": "2024", "indicator_id": ident, "value": value,
        "score": score, "coverage": 0.5 if ident == "cpi" else 1.0, "suppressed": hidden,
        "definition_hash": digest, "source_runs": run.id} for code, ident, value, score, hidden,
        digest in rows]))
    return run.id


def _city_values(store: Store, city: str) -> pd.DataFrame:
    values = store.indicator_values(city)
    return (values[values["district_code"].isna()]
            [["indicator_id", "period", "value", "score", "coverage", "definition_hash"]]
            .sort_values("indicator_id").reset_index(drop=True))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A bundle exported from a DuckDB store of its own."""
    origin = open_store(f"duckdb:///{tmp_path_factory.mktemp('origin') / 'origin.duckdb'}")
    origin.init_schema()
    _seed(origin)
    data = export_bundle(origin, CITY.slug, MIN, 3, origin="Harran statistics office")
    origin.close()
    return data


def test_round_trip_between_stores(store: Store, tmp_path: Path) -> None:
    run_id = _seed(store)
    data = export_bundle(store, CITY.slug, MIN, 3, origin="Harran statistics office")
    target = open_store(f"duckdb:///{tmp_path / 'peer.duckdb'}")
    target.init_schema()
    outcome = import_bundle(target, data, "harran.zip", MIN)
    assert (outcome.city, outcome.status, outcome.values) == ("harran", "imported", 3)
    published = _city_values(store, CITY.slug)
    published = published[published["indicator_id"] != "foreign_born_share"]  # suppressed
    pd.testing.assert_frame_equal(_city_values(target, "harran"),
                                  published.reset_index(drop=True), check_dtype=False)
    assert _city_values(target, "harran")["value"].tolist() == [0.0121, 47.5, 0.0304]
    assert target.city("harran") == CITY.__class__("harran", "Harran", "حران", "TR", "", 310_000)
    assert external_cities(target) == {"harran": "Harran statistics office"}
    [peer] = target.external_peers()
    assert [r["content_hash"] for r in peer.provenance["ingest_runs"]] == ["c" * 64]
    assert peer.provenance["ingest_runs"][0]["run_id"] == run_id
    assert peer.provenance["min_count"] == MIN
    assert {d["definition_id"]: d["group_dimension"] for d in peer.definitions} == {
        "foreign_citizens_share": "citizenship", "citizenship_share": "citizenship",
        "cpi": ""}
    assert set(peer.checksums) == {"city.csv", "indicator_values.csv",
                                   "indicator_definitions.csv", "ingest_runs.csv"}
    target.close()


def test_bundle_is_a_data_package_with_sha256_per_file(bundle: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(bundle))
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["observatory"]["format_version"] == 1
    assert descriptor["profile"] == "data-package"
    for resource in descriptor["resources"]:
        content = archive.read(resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)
    values = pd.read_csv(io.BytesIO(archive.read("indicator_values.csv")))
    # Neither the suppressed value nor the district value left.
    assert sorted(values["indicator_id"]) == ["citizenship_share.syrian", "cpi",
                                              "foreign_citizens_share"]
    assert not values["suppressed"].any()


def _repack(data: bytes, edit: Callable[[dict, dict[str, bytes]], None],
            keep_checksums: bool = False) -> bytes:
    """The bundle after ``edit`` (of its descriptor and files), its checksums recomputed
    unless ``keep_checksums``: a tampered bundle that is internally consistent."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    descriptor = json.loads(archive.read("datapackage.json"))
    files = {n: archive.read(n) for n in archive.namelist() if n != "datapackage.json"}
    edit(descriptor, files)
    if not keep_checksums:
        for resource in descriptor["resources"]:
            digest = hashlib.sha256(files[resource["path"]]).hexdigest()
            resource["hash"], resource["bytes"] = f"sha256:{digest}", len(files[resource["path"]])
        listing = "\n".join(sorted(f"{r['path']} {r['hash'][7:]}"
                                   for r in descriptor["resources"]))
        descriptor["id"] = hashlib.sha256(listing.encode()).hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as packed:
        packed.writestr("datapackage.json", json.dumps(descriptor))
        for name, content in files.items():
            packed.writestr(name, content)
    return out.getvalue()


def _edit_csv(name: str, change: Callable[[pd.DataFrame], None]):
    def edit(descriptor: dict, files: dict[str, bytes]) -> None:
        frame = pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)
        change(frame)
        files[name] = frame.to_csv(index=False, lineterminator="\n").encode()
    return edit


def _set(column: str, value: str, row: int = 0):
    def change(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value
    return change


def _meta(key: str, value: object):
    def edit(descriptor: dict, files: dict[str, bytes]) -> None:
        descriptor["observatory"][key] = value
    return edit


def _counts_persons(frame: pd.DataFrame) -> None:
    frame.loc[0, "unit"], frame.loc[0, "value"] = "persons", "12.0"


REFUSALS = {
    "wrong checksum": (lambda d: _repack(d, _edit_csv("indicator_values.csv",
                                                      _set("value", "0.5")),
                                         keep_checksums=True),
                       "indicator_values.csv: wrong checksum"),
    "unknown format version": (lambda d: _repack(d, _meta("format_version", 99)),
                               "unknown format version 99"),
    "missing definitions": (lambda d: _repack(d, _edit_csv(
        "indicator_definitions.csv", lambda f: f.drop(index=f.index, inplace=True))),
        "column definition_hash: no definition"),
    "count at the threshold": (lambda d: _repack(d, _edit_csv("indicator_values.csv",
                                                              _counts_persons)),
                               "at or below the disclosure threshold 15"),
    "small population": (lambda d: _repack(d, _edit_csv("city.csv", _set("population", "15"))),
                         ("city.csv, row 2, column population: the population count is at or "
                         "below the disclosure threshold 15")),
    "suppressed value": (lambda d: _repack(d, _edit_csv("indicator_values.csv",
                                                        _set("suppressed", "true"))),
                         "column suppressed"),
    "lower threshold": (lambda d: _repack(d, _meta("min_count", 5)),
                        "exported under the disclosure threshold 5"),
    "damaged archive": (lambda d: d[100:], "not a readable zip archive"),
}


def test_refused_bundles_load_nothing(store: Store, bundle: bytes) -> None:
    # Every case on one store: a refusal writes nothing, so the cases cannot leak into each
    # other, and each backend pays for one store.
    for case, (tamper, expected) in REFUSALS.items():
        with pytest.raises(BundleRefused) as refused:
            import_bundle(store, tamper(bundle), "harran.zip", MIN)
        message = str(refused.value)
        assert expected in message, case
        assert message.startswith("harran.zip") and "nothing was loaded. Fix: " in message, case
        assert store.cities() == [] and store.external_peers() == [], case
        assert store.indicator_values("harran").empty, case
    # The untampered bundle loads: the refusals were the tampering's.
    assert import_bundle(store, bundle, "harran.zip", MIN).status == "imported"


def test_reimport_is_idempotent_and_a_newer_bundle_replaces(store: Store,
                                                            tmp_path: Path) -> None:
    origin = open_store(f"duckdb:///{tmp_path / 'origin.duckdb'}")
    origin.init_schema()
    _seed(origin)
    first = export_bundle(origin, CITY.slug, MIN, 3)
    assert import_bundle(store, first, "a.zip", MIN).status == "imported"
    assert import_bundle(store, first, "a.zip", MIN).status == "unchanged"
    _seed(origin, share=0.0411)
    newer = export_bundle(origin, CITY.slug, MIN, 3)
    origin.close()
    assert import_bundle(store, newer, "b.zip", MIN).status == "replaced"
    values = _city_values(store, "harran")
    assert values.set_index("indicator_id")["value"].to_dict() == {
        "citizenship_share.syrian": 0.0121, "cpi": 47.5, "foreign_citizens_share": 0.0411}
    assert len(store.external_peers()) == 1
    with pytest.raises(BundleRefused, match="older than the bundle of 'harran' already"):
        import_bundle(store, first, "a.zip", MIN)
    assert _city_values(store, "harran")["value"].tolist() == [0.0121, 47.5, 0.0411]


def test_external_peer_is_read_only(store: Store, bundle: bytes, tmp_path: Path) -> None:
    import_bundle(store, bundle, "harran.zip", MIN)
    with pytest.raises(ReadOnlyCityError, match="'harran' is an external peer"):
        store.load(IngestRun(city="harran", feed="census", source_name="c.csv",
                             content_hash="d" * 64))
    with pytest.raises(ReadOnlyCityError, match="read-only"):
        store.put_indicator_values("harran", _city_values(store, "harran").assign(
            district_code=None, suppressed=False))
    with pytest.raises(ReadOnlyCityError, match="nothing is ingested or computed"):
        compute_frameworks(store, "harran", DisclosureSettings(), ["demography"])
    census = tmp_path / "census.csv"
    census.write_text("district,population\n01,100\n", encoding="utf-8")
    with pytest.raises(ReadOnlyCityError):
        run_feed(family("census"), store, census, "harran")
    assert store.runs("harran") == []
    assert len(_city_values(store, "harran")) == 3


def test_own_city_is_never_replaced_by_a_bundle(store: Store, bundle: bytes) -> None:
    _seed(store)
    before = _city_values(store, "harran")
    with pytest.raises(ReadOnlyCityError, match="city 'harran' of its own.*--as SLUG"):
        import_bundle(store, bundle, "harran.zip", MIN)
    pd.testing.assert_frame_equal(_city_values(store, "harran"), before)
    outcome = import_bundle(store, bundle, "harran.zip", MIN, as_slug="harran_peer")
    assert (outcome.city, outcome.status) == ("harran_peer", "imported")
    assert external_cities(store) == {"harran_peer": "Harran statistics office"}


def test_an_imported_peer_is_marked_external_in_the_comparison(store: Store,
                                                              bundle: bytes) -> None:
    from observatory.services.comparison import load_input

    import_bundle(store, bundle, "harran.zip", MIN)
    [facts] = load_input(store).cities
    assert (facts.slug, facts.external) == ("harran", True)
    assert load_input(store, external=()).cities[0].external is False
