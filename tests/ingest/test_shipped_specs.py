"""Every shipped feed spec loads, and the admin and events spec models refuse what they must."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingest.errors import IngestError
from ingest.spec import (
    load_admin_spec,
    load_boundaries_spec,
    load_cdr_spec,
    load_census_spec,
    load_events_spec,
    load_point_counts_spec,
)

REPO = Path(__file__).resolve().parents[2]
LOADERS = {"census": load_census_spec, "boundaries": load_boundaries_spec,
           "admin": load_admin_spec, "events": load_events_spec,
           "cdr": load_cdr_spec, "points": load_point_counts_spec}
SHIPPED = sorted((REPO / "ingest" / "specs").rglob("*.yaml")) + sorted(
    (REPO / "observatory" / "demo" / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_spec_loads(path: Path):
    feed = yaml.safe_load(path.read_text(encoding="utf-8"))["feed"]
    assert feed in LOADERS, f"{path}: no loader for feed {feed!r}"
    spec = LOADERS[feed](path)
    assert spec.feed == feed


def test_berlin_and_chicago_have_a_boundaries_spec_and_berlin_declares_its_levels():
    for folder, slug in (("berlin", "berlin"), ("chicago", "chicago")):
        spec = load_boundaries_spec(REPO / "ingest" / "specs" / folder / "boundaries.yaml")
        assert spec.city.slug == slug
    berlin = REPO / "ingest" / "specs" / "berlin"
    levels = [load_boundaries_spec(berlin / name).level.to_level()
              for name in ("boundaries.yaml", "forecast_areas.yaml", "planning_areas_2020.yaml")]
    assert [(lv.name, lv.parent, lv.parent_prefix) for lv in levels] == [
        ("district", None, None), ("forecast_area", "district", 2),
        ("planning_area", "forecast_area", 4)]
    assert all(lv.name_ar for lv in levels)


ADMIN = """\
feed: admin
person_id: {column: pid}
nationality: {column: nat, default: foreign}
district: {column: d}
date: {column: day}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_admin_spec_defaults_and_sensitive_columns(tmp_path):
    spec = load_admin_spec(_write(tmp_path, ADMIN + "names: [n1, n2]\ndocument_numbers: [doc]\n"))
    assert spec.service_area.column == "service_area"
    assert spec.sensitive_columns() == ["pid", "n1", "n2", "doc"]
    address = load_admin_spec(_write(tmp_path, ADMIN.replace("{column: d}",
                                                              "{column: d, match: address}")))
    assert address.sensitive_columns() == ["pid", "d"]


def test_admin_spec_refuses_an_unknown_service_area_target(tmp_path):
    path = _write(tmp_path, ADMIN + "service_area: {column: a, values: {x: counselling}}\n")
    with pytest.raises(IngestError, match=r"key service_area: \['counselling'\] are not service "
                                          r"areas; map source values onto: regularisation"):
        load_admin_spec(path)


def test_events_spec_needs_one_layer_source_and_a_known_time_zone(tmp_path):
    base = "feed: events\ntime: {column: t}\n"
    with pytest.raises(IngestError, match=r"give exactly one of layer.value or layer.column"):
        load_events_spec(_write(tmp_path, base + "layer: {value: fire, column: kind}\n"))
    with pytest.raises(IngestError, match=r"key time.timezone: unknown time zone"):
        load_events_spec(_write(tmp_path, "feed: events\nlayer: {value: fire}\n"
                                "time: {column: t, timezone: Europe/Atlantis}\n"))
    spec = load_events_spec(_write(tmp_path, base + "layer: {value: fire}\n"
                                   "attributes: [a, b]\n"))
    assert spec.attribute_columns() == {"a": "a", "b": "b"}



@pytest.mark.parametrize(("key", "text"), [
    ("nationality", ADMIN.replace("{column: nat, default: foreign}", "{column: nat}")),
    ("sex", ADMIN + "sex: {column: s}\n"),
])
def test_admin_spec_refuses_a_free_text_group_column(tmp_path, key, text):
    with pytest.raises(IngestError, match=rf"key {key}: give values .* free text of a "
                                          "personal-data file is never stored"):
        load_admin_spec(_write(tmp_path, text))
