"""One proposal per feed family: census, admin, boundaries, events and cdr specs inferred from
a file, every choice with its reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pydantic import BaseModel, ValidationError

from ingest import spec as spec_models
from ingest.errors import IngestError
from ingest.expressions import evaluate_expression
from ingest.inference.codes import Targets, fit_codes, repeated_codes, table_targets
from ingest.inference.columns import (
    YEAR_IN_NAME,
    find_dimensions,
    find_period,
    numeric,
    value_columns,
)
from ingest.inference.commented import Choice, render
from ingest.inference.districts import best_district_column, city_areas
from ingest.inference.personal import personal_columns
from ingest.inference.rasters import raster_choices
from ingest.inference.sniffing import Layout, geometry_kind, read_with, sniff
from ingest.inference.vocabulary import Vocabulary, folded, shipped_vocabulary, snake
from ingest.inference.zones import guess_zone
from ingest.spec import SERVICE_AREAS
from ingest.text import as_text
from observatory.store.base import Store

FEEDS = ("census", "admin", "boundaries", "events", "cdr", "points", "raster")
# The raster feed takes options, not a spec: nothing to validate.
MODELS: dict[str, type[BaseModel]] = {"census": spec_models.CensusSpec, "admin": spec_models.AdminSpec,
          "boundaries": spec_models.BoundariesSpec, "events": spec_models.EventsSpec,
          "cdr": spec_models.CdrSpec, "points": spec_models.PointCountsSpec}
RASTER_SUFFIXES = (".tif", ".tiff")
TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y",
                "%d.%m.%Y", "%Y%m%d")
SEX_VALUES = {"m": "male", "f": "female", "male": "male", "female": "female", "1": "male",
              "2": "female", "ذكر": "male", "أنثى": "female"}
ARABIC = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True)
class Inference:
    feed: str
    spec: dict[str, Any]
    yaml: str
    notes: tuple[str, ...]


@dataclass
class _Context:
    store: Store
    city: str
    path: Path
    period: str | None
    vocabulary: Vocabulary
    notes: list[str]
    codes_from: Path | None = None


def infer_feed_spec(store: Store, city: str, path: Path, feed: str | None = None,
                    period: str | None = None, codes_from: Path | None = None) -> Inference:
    """The spec proposed for ``path`` as ``feed`` (default: the feed the file looks like).
    ``period``: the period of a table that states none (a year, or a date for a list of
    places); ``codes_from``: a table of the city whose district codes a boundary layer's
    areas must carry. Raises ``IngestError`` for a file no reader knows."""
    path = Path(path)
    if feed is not None and feed not in FEEDS:
        raise IngestError(f"spec inference knows the feeds {', '.join(FEEDS)}, not {feed!r}",
                          file=path.name, fix="give --feed " + "|".join(FEEDS))
    context = _Context(store, city, path, period, shipped_vocabulary(), [],
                       Path(codes_from) if codes_from is not None else None)
    if path.suffix.lower() in RASTER_SUFFIXES or feed == "raster":
        return _raster(context)
    layout = _parquet_layout() if path.suffix.lower() == ".parquet" else sniff(path)
    chosen, why_feed = (feed, "as asked (--feed)") if feed else _guess_feed(path, layout)
    choices, header, trailer = BUILDERS[chosen](context, layout)
    choices.insert(0, Choice("feed", chosen, why_feed))
    spec = {choice.key: choice.value for choice in choices}
    try:
        if chosen in MODELS:
                MODELS[chosen].model_validate(spec)
    except ValidationError as exc:
        problem = exc.errors()[0]
        context.notes.append("the proposal does not validate yet: "
                             f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}")
    header = [f"Inferred by `observatory spec infer` from {path.name} for the city {city}.",
              "Check every line; the comments say why each choice was made.", *header,
              *(f"CHECK: {note}" for note in context.notes)]
    text = render(choices, header, tuple(trailer))
    return Inference(chosen, spec, text, tuple(context.notes))


def _raster(context: _Context) -> Inference:
    choices, header = raster_choices(context.path, context.period, context.notes)
    spec = {choice.key: choice.value for choice in choices}
    header = [(f"Inferred by `observatory spec infer` from {context.path.name} for the city "
              f"{context.city}."), *header, *(f"CHECK: {note}" for note in context.notes)]
    return Inference("raster", spec, render(choices, header), tuple(context.notes))


def _parquet_layout() -> Layout:
    return Layout("parquet", reasons=(("format", "a Parquet table"),))


def _frame(path: Path, layout: Layout) -> pd.DataFrame:
    """The table as text columns; a Parquet file's first rows (its schema and a sample)."""
    if layout.format == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as source:
            first = source.read_row_group(0) if source.num_row_groups else source.read()
        return first.to_pandas().head(50_000).astype("string")
    return read_with(path, layout).frame


def _guess_feed(path: Path, layout: Layout) -> tuple[str, str]:
    if layout.format == "vector":
        kind, _, _ = geometry_kind(path)
        if kind == "polygon":
            return "boundaries", "a vector file of polygons: boundaries"
        if kind == "point":
            return "events", "a vector file of points: events"
        return "census", f"a vector file of {kind}s: its attribute table as a census table"
    if layout.format == "parquet":  # of the table feeds, only points read Parquet
        return "points", "a Parquet table: geotagged points, counted"
    frame = _frame(path, layout)
    columns = {folded(c) for c in frame.columns}
    if personal_columns(frame).person_id:
        return "admin", "a person identifier column: administrative records"
    if {"site_id", "metric", "count"} <= columns or {"site", "metric", "count"} <= columns:
        return "cdr", "tower sites, metrics and counts: mobile-phone aggregates"
    if _lon_lat(frame) and _time_column(frame):
        return "events", "coordinates and times on every row: events"
    return "census", "a table of counts"


# census ------------------------------------------------------------------------------------

def _census(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    frame = read_with(context.path, layout).frame
    choices = _source_choices(layout)
    match = best_district_column(frame, city_areas(context.store, context.city))
    if match is None:
        column = _named(frame, r"district|bezirk|code|^id$") or str(frame.columns[0])
        context.notes.append(f"no column matches the districts of {context.city} in the store "
                             f"(are its boundaries loaded?): {column} is a guess")
        choices.append(Choice("district", {"column": column, "match": "code"},
                              "a GUESS: no column matches the city's districts"))
        district, top, level = column, True, None
    else:
        choices.append(Choice("district", {"column": match.column, "match": match.match},
                              match.why()))
        district, top, level = match.column, match.top, match.level
    if not top:
        choices.append(Choice("level", level, "the areas matched are of this level"))
    period = find_period(frame, context.path, context.period, {district})
    choices.append(Choice("period", {"column": period.column} if period.column
                          else {"value": period.value}, period.why))
    key = [district, *([period.column] if period.column else [])]
    candidates = [c for c in frame.columns if c not in key and numeric(frame[c])]
    named, _, _ = value_columns(frame[candidates], set(), context.vocabulary)
    if named and named[0].why.startswith("numeric"):
        named = []  # nothing recognised: dimensions come first, then the numeric rest
    dimensions = find_dimensions(frame, key, [v.entry["column"] for v in named],
                                 context.vocabulary)
    if not _unique(frame, key + [d.column for d in dimensions]):
        context.notes.append("some rows repeat the same district, period and dimensions: they "
                             "will be rejected as duplicates unless a dimension is added")
    if dimensions:
        choices.append(Choice("dimensions", {
            d.key: ({"column": d.column, "values": d.values} if d.values
                    else {"column": d.column}) for d in dimensions},
            "columns that tell the rows of one district and period apart",
            tuple(d.why for d in dimensions)))
    skip = {*key, *(d.column for d in dimensions)}
    variables, left_out, why = value_columns(frame, skip, context.vocabulary)
    choices.append(Choice("variables", [v.entry for v in variables], why,
                          tuple(v.why for v in variables)))
    trailer = ([(f"Numeric columns left out (add them to variables to load them): "
                f"{', '.join(left_out)}")] if left_out else [])
    return choices, [], trailer


def _unique(frame: pd.DataFrame, key: list[str]) -> bool:
    return not frame.duplicated(subset=key).any()


def _source_choices(layout: Layout) -> list[Choice]:
    choices = [Choice("format", layout.format, layout.why("format"))]
    if layout.format == "csv":
        choices += [Choice("encoding", layout.encoding, layout.why("encoding")),
                    Choice("delimiter", layout.delimiter, layout.why("delimiter")),
                    Choice("header_row", layout.header_row, layout.why("header_row"))]
    return choices


def _named(frame: pd.DataFrame, pattern: str) -> str | None:
    for column in frame.columns:
        if re.search(pattern, folded(str(column))):
            return str(column)
    return None


# admin -------------------------------------------------------------------------------------

def _admin(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    frame = read_with(context.path, layout).frame
    personal = personal_columns(frame)
    choices = _source_choices(layout)
    if personal.record_id:
        choices.append(Choice("record_id", {"column": personal.record_id},
                              personal.reasons[personal.record_id]))
    if personal.person_id:
        choices.append(Choice("person_id", {"column": personal.person_id},
                              personal.reasons[personal.person_id]))
    else:
        context.notes.append("no person identifier column found: person_id must name one")
    if personal.names:
        choices.append(Choice("names", personal.names, "persons' names: dropped at ingest, "
                              "never loaded as values"))
    if personal.document_numbers:
        choices.append(Choice("document_numbers", personal.document_numbers,
                              "document numbers: dropped at ingest, never loaded as values"))
    rest = frame.drop(columns=personal.columns)
    nationality = _named(rest, r"nationalit|citizenship|country")
    if nationality:
        choices.append(_mapped("nationality", nationality, rest, context.vocabulary,
                               default="other_foreign"))
    sex = _named(rest, r"^(sex|gender)$")
    if sex:
        choices.append(_mapped("sex", sex, rest, context.vocabulary))
    if personal.birth_year:
        choices.append(Choice("birth_year", {"column": personal.birth_year},
                              personal.reasons[personal.birth_year]))
    match = best_district_column(rest, city_areas(context.store, context.city),
                                 addresses=True)
    if match is None:
        context.notes.append("no column matches the city's districts: set district")
    else:
        choices.append(Choice("district", {"column": match.column, "match": match.match},
                              match.why() + ("; the address is dropped after matching"
                                             if match.match == "address" else "")))
    service = _named(rest, r"service")
    if service:
        values = {folded(v) for v in rest[service].dropna().astype(str)}
        known = values <= set(SERVICE_AREAS)
        choices.append(Choice("service_area", {"column": service},
                              "its values are the service areas" if known else
                              "map its values onto the service areas (values: …)"))
    date = _time_column(rest)
    if date:
        column, pattern = date
        entry = {"column": column, **({"format": pattern} if pattern else {})}
        choices.append(Choice("date", entry, f"dates ({pattern or 'ISO 8601'}) on every row"))
    return choices, ["Personal data: the columns flagged below are pseudonymised or dropped."], []


def _mapped(key: str, column: str, frame: pd.DataFrame, vocabulary: Vocabulary,
            default: str | None = None) -> Choice:
    distinct = sorted(frame[column].dropna().astype(str).str.strip().unique())
    for spec, source in vocabulary.admin:
        known = spec.get(key) or {}
        if folded(str(known.get("column", ""))) == folded(column):
            values = {str(k): str(v) for k, v in (known.get("values") or {}).items()}
            entry = {"column": column, "values": values}
            if known.get("default"):
                entry["default"] = known["default"]
            return Choice(key, entry, f"mapped as in {source}")
    if key == "sex" and all(v.casefold() in SEX_VALUES for v in distinct):
        return Choice(key, {"column": column,
                            "values": {v: SEX_VALUES[v.casefold()] for v in distinct}},
                      "sex codes")
    entry = {"column": column, "values": {v: snake(v) for v in distinct}}
    if default:
        entry["default"] = default
    return Choice(key, entry, f"{len(distinct)} values, each its own group: CHECK the groups")


# boundaries --------------------------------------------------------------------------------

def _boundaries(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    kind, crs, features = geometry_kind(context.path)
    frame = features.drop(columns=features.geometry.name)
    # As the boundaries feed reads them: whole numbers without ".0", text stripped.
    text = {str(c): as_text(frame[c]).astype("string").str.strip() for c in frame.columns}
    # Codes are short words or numbers, never measurements such as an area (12.5).
    codelike = [c for c, v in text.items()
                if v.notna().all() and v.str.fullmatch(r"[0-9A-Za-z_\-]+").all()]
    unique = [c for c in codelike if text[c].is_unique]
    # A publisher's slip repeats a code or two: such a column may still be the code.
    nearly = [c for c in codelike if text[c].nunique() >= 0.99 * len(text[c])]
    choices: list[Choice] = []
    city = context.store.city(context.city)
    if city is None:
        choices.append(_new_city(context, features))
    if crs is None:
        choices.append(Choice("crs", "EPSG:4326", "the file states no CRS: a GUESS"))
    known = (set(context.store.districts(context.city)["code"].astype(str))
             if city is not None else set())
    targets = ([Targets(frozenset(known), f"the city's {len(known)} areas in the store")]
               if known else [])
    if context.codes_from is not None:
        targets += table_targets(context.codes_from)
    fit = fit_codes(text, nearly, targets) if targets else None
    if fit is not None:
        code = fit.column
        codes = (evaluate_expression(frame, fit.expression, file=context.path.name,
                                     key="code.expression") if fit.expression else text[code])
        choices.append(Choice("code", {"expression": fit.expression} if fit.expression
                              else {"column": code}, fit.why()))
    else:
        found = _code_column(text, unique, known) or _code_column(text, nearly, known)
        if found is None:
            raise IngestError("no column holds a distinct value for every feature",
                              file=context.path.name, fix="add a code column to the file")
        code, codes = found, text[found]
        matches = bool(known) and codes.isin(known).mean() >= 0.5
        choices.append(Choice("code", {"column": code}, "a distinct, short value for every "
                              "feature" + ("; matches the city's codes" if matches else "")))
        if not known and context.codes_from is None:
            context.notes.append(
                f"the codes are the values of {code} as they are (e.g. "
                f"{', '.join(codes.head(3))}): nothing tells what codes the city's tables use; "
                "if they key the districts otherwise (Vienna's census: 90000 + BEZNR*100), "
                "infer again with --codes-from TABLE, or write code: {expression: …}")
    parent = None
    if known and codes.isin(known).mean() < 0.5:
        parent = _finer_level(context, codes)
        if parent is not None:
            choices.append(parent[0])
    if codes.duplicated().any():
        parents = (context.store.districts(context.city, level=parent[1])
                   if parent is not None else None)
        table = [t for t in targets if not t.source.startswith("the city's")]
        unused = set(table[0].codes) - set(codes) if fit is not None and table else set()
        repairs = repeated_codes(features, codes, parents, parent[2] if parent else 0, unused,
                                 context.codes_from.name if context.codes_from else "")
        context.notes.extend(repairs.notes)
        if repairs.corrections:
            choices.append(Choice("corrections", repairs.corrections,
                                  "codes the layer repeats, corrected: CHECK each"))
            context.notes += [f"corrected: {c['reason']}: CHECK it" for c in repairs.corrections]
    distinct = [c for c, v in text.items() if v.notna().all() and v.nunique() >= 0.95 * len(v)]
    name_en, name_ar = _name_columns(text, distinct, code)
    if name_en:
        choices.append(Choice("name_en", {"column": name_en}, "names in Latin script"))
    if name_ar:
        choices.append(Choice("name_ar", {"column": name_ar}, "names in Arabic script"))
    else:
        context.notes.append("no column holds Arabic names: the Arabic pages show the English "
                             "names until name_ar is given (name_ar: {column: …, values: {code: "
                             "name}})")
    choices += _validity(context, text)
    header = [f"{len(features)} {kind} features, CRS {crs or 'not stated'}."]
    if not any(c.key == "valid_from" for c in choices):
        header.append("valid_from (when this boundary scheme took effect) is not in the file: "
                      "add it, or the ingest dates the version today.")
    return choices, header, []


def _new_city(context: _Context, features: gpd.GeoDataFrame) -> Choice:
    """The city block of a city's first layer; its local CRS is the layer's when projected."""
    block: dict[str, Any] = {"slug": context.city, "name_en": context.city.title()}
    why = "a new city: complete name_ar and country"
    if features.crs is not None and features.crs.is_projected and features.crs.to_epsg():
        block["local_crs"] = f"EPSG:{features.crs.to_epsg()}"
        why += "; local_crs: the layer's own projected CRS"
    else:
        why += " and local_crs (a projected CRS for areas and distances)"
    context.notes.append(f"{context.city} is not in the store yet: complete the city block")
    return Choice("city", block, why)


def _validity(context: _Context, text: dict[str, pd.Series]) -> list[Choice]:
    """valid_from from one date every feature carries (a layer's publication stamp), else
    from the year in the file's name; valid_to from a name saying "until 2020"."""
    stem = folded(context.path.stem)
    year = YEAR_IN_NAME.findall(context.path.stem)
    until = bool(year) and bool(re.search(r"until|bis|before|to_", stem))
    choices = []
    for column, values in text.items():
        if values.notna().all() and values.nunique() == 1 and re.fullmatch(
                r"(19|20)\d\d-\d\d-\d\d", str(values.iloc[0])[:10]) and not until:
            choices.append(Choice("valid_from", str(values.iloc[0])[:10],
                                  f"the one date every feature carries ({column}): CHECK it is "
                                  "the day the scheme took effect"))
            break
    else:
        if year and not until:
            choices.append(Choice("valid_from", f"{year[0]}-01-01", "the year in the file "
                                  "name: CHECK the day the scheme took effect"))
    if until:
        # valid_to needs a valid_from before it: the one year the name vouches for.
        choices += [Choice("valid_from", f"{year[-1]}-01-01", f"a GUESS: the scheme held in "
                           f"{year[-1]} at least; SET the day it took effect"),
                    Choice("valid_to", f"{int(year[-1]) + 1}-01-01",
                           f"the file name says until {year[-1]}: CHECK the day it ended")]
        context.notes.append(f"the file name says the areas held until {year[-1]}; when they "
                             "took effect is not in the file: set valid_from")
    return choices


def _finer_level(context: _Context, codes: pd.Series) -> tuple[Choice, str, int] | None:
    """A level below one the city has, when every code starts with a code of that level (as
    Berlin's forecast areas "0110" start with their district's "01"): the level's choice, the
    parent level and the length of the parent's codes."""
    for level in reversed(context.store.levels(context.city)):  # the finest first
        parents = set(context.store.districts(context.city, level=level.name)["code"]
                      .astype(str))
        lengths = {len(code) for code in parents}
        if len(lengths) != 1:
            continue
        (prefix,) = lengths
        if codes.str.len().gt(prefix).all() and codes.str[:prefix].isin(parents).all():
            name = _layer_name(context.path)  # forecast-areas-2021 -> forecast_area
            declared = {"name": name, "parent": level.name, "parent_code": {"prefix": prefix},
                        "name_en": name.replace("_", " ").capitalize() + "s", "name_ar": ""}
            return (Choice("level", declared,
                           f"every code starts with a code of {level.name} ({prefix} "
                           "characters): a finer level; NAME it, add its Arabic name"),
                    level.name, prefix)
    return None


def _code_column(text: dict[str, pd.Series], unique: list[str], known: set[str]) -> str | None:
    def score(column: str) -> tuple:
        values = text[column]
        hint = bool(re.search(r"(^|_)(code|id|nr|no|num|numbe|number|key|geoid)(_|$)|nr$|code",
                              folded(column)))
        return (-values.isin(known).mean() if known else 0, not hint,
                not values.str.fullmatch(r"[0-9A-Za-z]+").all(), values.str.len().mean())
    return min(unique, key=score, default=None)


def _name_columns(text: dict[str, pd.Series], unique: list[str],
                  code: str) -> tuple[str | None, str | None]:
    arabic = [c for c in unique if c != code and text[c].str.contains(ARABIC).mean() > 0.9]
    latin = []
    for column in unique:
        values = text[column]
        if column == code or column in arabic or numeric(values) or not values.str.contains(
                r"[A-Za-zÀ-ÿ]{3}").all():
            continue
        mixed = not values.str.isupper().all()
        hint = bool(re.search(r"nam|geog|label|title|community", folded(column)))
        no_digits = not values.str.contains(r"\d").any()
        latin.append((-(2 * mixed + hint + no_digits), column))
    return (min(latin)[1] if latin else None, arabic[0] if arabic else None)


# events ------------------------------------------------------------------------------------

def _events(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    choices = [Choice("format", layout.format, layout.why("format"))] if layout.format \
        == "vector" else _source_choices(layout)
    if layout.format == "vector":
        _, _, features = geometry_kind(context.path)
        frame = features.drop(columns=features.geometry.name)
        point = None
    else:
        features = None
        frame = read_with(context.path, layout).frame
        point = _lon_lat(frame)
    layer_column = _named(frame, r"^(layer|event_type|incident_type)$")
    if layer_column:
        choices.append(Choice("layer", {"column": layer_column},
                              f"{frame[layer_column].nunique()} layers named in the column"))
    else:
        name = _layer_name(context.path)
        choices.append(Choice("layer", {"value": name},
                              "one layer, named after the file: RENAME it if need be"))
    time = _time_column(frame)
    if time:
        column, pattern = time
        entry: dict[str, Any] = {"column": column, **({"format": pattern} if pattern else {})}
        values = frame[column].dropna().astype(str)
        offset = values.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$").all()
        why = f"times ({pattern or 'ISO 8601'})"
        centre = None if offset else _centre(features if point is None else frame, point)
        zone = guess_zone(*centre, _country(context)) if centre else None
        if zone is not None:
            entry["timezone"] = zone.zone
            why += "; " + zone.why()
            context.notes.append(f"time.timezone {zone.zone}: {zone.why()}")
        elif not offset:
            why += "; no UTC offset: set time.timezone to the city's zone (default UTC)"
            context.notes.append("the times have no UTC offset and the points no usable "
                                 "coordinates: set time.timezone (default UTC)")
        choices.append(Choice("time", entry, why))
    else:
        value = context.period or f"{pd.Timestamp.now().year}-01-01"
        choices.append(Choice("time", {"value": value},
                              "no time column: a list of places, dated " +
                              ("as given (--period)" if context.period else "1 January: SET it")))
    if point:
        choices.append(Choice("point", {"lon": point[0], "lat": point[1]},
                              "longitude and latitude columns"))
        if _centre(frame, point) is None:  # metres, not degrees
            city = context.store.city(context.city)
            local = city.local_crs if city is not None else ""
            choices.append(Choice("crs", local or "EPSG:?", (
                f"the coordinates are not degrees: the city's local CRS ({local}), CHECK it"
                if local else "the coordinates are not degrees: SET their CRS")))
            context.notes.append("the point columns hold projected coordinates: check crs")
    identifier = _named(frame, r"^(id|event_id|incident_id|uid|objectid)$")
    if identifier and frame[identifier].is_unique:
        choices.append(Choice("id", {"column": identifier}, "a distinct id on every row"))
    used = {layer_column, time[0] if time else None, identifier, *(point or ())}
    rest = [str(c) for c in frame.columns if c not in used]
    known = context.vocabulary.attributes_for(rest)
    if known is None:
        choices.append(Choice("attributes", rest, "the other columns, kept as attributes"))
        return choices, [], []
    renamed, source = known
    choices.append(Choice("attributes", renamed, f"named as in {source}, whose columns the "
                          "file holds"))
    left_out = [c for c in rest if c not in renamed.values()]
    trailer = ([(f"Columns left out (add them to attributes to keep them): "
                 f"{', '.join(left_out)}")] if left_out else [])
    return choices, [], trailer


def _centre(rows: pd.DataFrame | None, point: tuple[str, str] | None
            ) -> tuple[float, float] | None:
    """The points' mean longitude and latitude: of a vector file's geometry, or of a table's
    point columns when they hold degrees."""
    if rows is None:
        return None
    if point is None:
        located = gpd.GeoDataFrame(rows)
        if located.crs is None or located.geometry.is_empty.all():
            return None
        bounds = located.geometry.to_crs("EPSG:4326").total_bounds
        return float((bounds[0] + bounds[2]) / 2), float((bounds[1] + bounds[3]) / 2)
    lon = pd.to_numeric(rows[point[0]], errors="coerce").median()
    lat = pd.to_numeric(rows[point[1]], errors="coerce").median()
    if pd.isna(lon) or pd.isna(lat) or abs(lon) > 180 or abs(lat) > 90:
        return None
    return float(lon), float(lat)


def _country(context: _Context) -> str:
    city = context.store.city(context.city)
    return city.country if city is not None else ""


def _layer_name(path: Path) -> str:
    name = re.sub(r"[_\-]?((until|bis|before|from|ab|since)[_\-]?)?(19|20)\d\d", "", path.stem,
                  flags=re.IGNORECASE)
    name = re.sub(r"[_\-]?(points|locations|sites|list)$", "", name, flags=re.IGNORECASE)
    name = snake(name)
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _lon_lat(frame: pd.DataFrame) -> tuple[str, str] | None:
    lon = _named(frame, r"^(lon|lng|long|longitude|x)$")
    lat = _named(frame, r"^(lat|latitude|y)$")
    return (lon, lat) if lon and lat else None


def _time_column(frame: pd.DataFrame) -> tuple[str, str | None] | None:
    """A column of times: (column, strftime format or None for ISO 8601)."""
    for column in frame.columns:
        if not re.search(r"date|time|datum|when|occurred|reported|created|_at$", folded(str(column))):
            continue
        values = frame[column].dropna().astype(str).head(200)
        if not len(values):
            continue
        if pd.to_datetime(values, format="ISO8601", errors="coerce").notna().all():
            return str(column), None
        for pattern in TIME_FORMATS:
            if pd.to_datetime(values, format=pattern, errors="coerce").notna().all():
                return str(column), pattern
    return None


# points ------------------------------------------------------------------------------------

def _points(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    """Geotagged points counted per district, period and category (the points feed)."""
    if layout.format not in ("csv", "parquet"):
        raise IngestError(f"the points feed reads CSV or Parquet, not {layout.format}",
                          file=context.path.name,
                          fix="export the points as CSV with lon and lat columns, or ingest "
                          "a vector file of points as events (--feed events)")
    frame = _frame(context.path, layout)
    choices = [Choice("format", layout.format, layout.why("format"))]
    if layout.format == "csv":
        choices.append(Choice("delimiter", layout.delimiter, layout.why("delimiter")))
    point = _lon_lat(frame)
    if point is None and _named(frame, r"^(wkt|geom|geometry|the_geom)$"):
        context.notes.append("the points are in a geometry column: the points feed reads lon "
                             "and lat columns; add them, or ingest the file as events")
    time = _time_column(frame)
    columns = {"lon": point[0] if point else "lon", "lat": point[1] if point else "lat",
               "time": time[0] if time else "time"}
    choices.append(Choice("columns", columns, "longitude, latitude and time columns" if point
                          and time else "a GUESS: name the lon, lat and time columns"))
    if time and time[1]:
        context.notes.append(f"the times are written {time[1]}: the points feed reads ISO 8601")
    used = set(columns.values())
    dimensions = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if column in used or not len(values) or numeric(values) or values.nunique() > 30:
            continue
        known = context.vocabulary.dimensions.get(folded(str(column)))
        dimensions[known.key if known else snake(str(column))] = {"column": str(column)}
    if dimensions:
        choices.append(Choice("dimensions", dimensions, "text columns of few values: the "
                              "counts are split by them"))
    choices.append(Choice("period", "year", "counts per year, as the census tables the rates "
                          "divide by: CHECK (month or day for seasonal work)"))
    variable = snake(_layer_name(context.path) + "s")
    unit = variable.rsplit("_", 1)[-1] if variable.endswith("s") else "points"
    choices.append(Choice("variable", variable, "named after the file: RENAME it if need be"))
    choices.append(Choice("unit", unit, "what one point is"))
    return choices, [("Points are counted, never kept one by one; small counts are withheld "
                     "(redact: true) unless the spec says otherwise.")], []


# cdr ---------------------------------------------------------------------------------------

def _cdr(context: _Context, layout: Layout) -> tuple[list[Choice], list[str], list[str]]:
    frame = read_with(context.path, layout).frame
    choices = [Choice("format", "csv", layout.why("format")),
               Choice("delimiter", layout.delimiter, layout.why("delimiter"))]
    roles = {"site": r"^(site_id|site|tower|tower_id|cell_id)$", "lon": r"^(lon|lng|longitude)$",
             "lat": r"^(lat|latitude)$", "time": r"^(date|day|time)$", "metric": r"^metric$",
             "count": r"^(count|n|value)$"}
    columns = {role: _named(frame, pattern) for role, pattern in roles.items()}
    choices.append(Choice("columns", {k: v for k, v in columns.items() if v},
                          "the columns of sites, places, days, metrics and counts"))
    rest = [c for c in frame.columns if c not in columns.values()]
    dimensions = {}
    for column in rest:
        known = context.vocabulary.dimensions.get(folded(column))
        dimensions[known.key if known else snake(column)] = {"column": column}
    if dimensions:
        choices.append(Choice("dimensions", dimensions, "the other columns split the counts"))
    choices.append(Choice("period", "month", "daily rows summed by month"))
    choices.append(Choice("assign", "voronoi", "counts spread by the sites' Voronoi cells"))
    metrics = {}
    for metric in sorted(frame[columns["metric"]].dropna().unique()) if columns["metric"] else []:
        known_metric = context.vocabulary.metrics.get(str(metric))
        metrics[str(metric)] = (dict(known_metric[0]) if known_metric
                                else {"variable": snake(str(metric)), "unit": ""})
    choices.append(Choice("metrics", metrics, "the metrics in the file"))
    return choices, [], []


BUILDERS: dict[str, Callable[[_Context, Layout],
                             tuple[list[Choice], list[str], list[str]]]] = {
    "census": _census, "admin": _admin, "boundaries": _boundaries, "events": _events,
    "cdr": _cdr, "points": _points,
}


