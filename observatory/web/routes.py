"""The pages, one URL scheme for both languages: ``/{lang}/cities/{city}…`` with lang en or ar.

``/`` and ``/en`` (``/ar``) → the only city's dashboard, or the city list, in English (Arabic); ``/{lang}/cities`` city list; ``/{lang}/cities/{city}``
dashboard (``?level=&indicator=&period=``); ``…/districts/{code}`` district profile
(``?level=&period=``); ``…/boundaries`` changed boundaries; ``…/runs`` and ``…/runs/{run_id}``
ingest runs (officers, signed in at ``/{lang}/sign-in``); ``…/field`` field-report form. Pages show what the public role sees; only the runs need a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from indicators.vocabulary import dimension_info, dimension_name, group_name
from observatory.http.deps import (
    ApiSettingsDep,
    BoundaryDep,
    CityDep,
    LevelDep,
    StoreDep,
    root_path,
)
from observatory.models import City, Level
from observatory.services.boundary_changes import boundary_changes, ended_versions
from observatory.services.callers import PUBLIC, Caller, known_caller
from observatory.services.district_profile import district_profile
from observatory.services.exports import FILE_FORMATS, LAYER_FORMATS
from observatory.services.indicator_catalog import (
    IndicatorInfo,
    framework_names,
    group_share_choices,
    indicator_catalog,
    info_of,
)
from observatory.services.indicator_display import indicator_display, unit_name, value_format
from observatory.services.layers import LayerRef
from observatory.services.map_pages import DEFAULT_INDICATOR
from observatory.services.value_grain import grain_text
from observatory.services.visibility import REVIEWER, shown_values
from observatory.store.base import Store
from observatory.web.formatting import (
    NO_SCORE,
    SCORE_FORMAT,
    area_text,
    number_text,
)
from observatory.web.i18n import (
    FIELD_CATEGORIES,
    LANGUAGE_NAMES,
    Lang,
    direction,
    other_language,
    words,
)
from observatory.web.levels import ESTIMATE_MARK, estimate_methods, level_switch
from observatory.web.session import forget_key, local_target, page_caller, remember_key

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
STATIC_URL = "/web/static"

router = APIRouter(tags=["pages"], include_in_schema=False)
_templates = Jinja2Templates(directory=WEB_DIR / "templates")

PageCallerDep = Annotated[Caller, Depends(page_caller)]


def add_pages(app: FastAPI) -> None:
    """The pages and their own scripts and styles."""
    from observatory.web.compare_page import router as compare_router

    app.include_router(router)
    app.include_router(compare_router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="web_static")



def _switch_language(request: Request, lang: Lang) -> str:
    """This page in the other language, with the same query (city, indicator, period)."""
    root = root_path(request)
    path = request.url.path.removeprefix(root)
    other = other_language(lang)
    target = f"{root}/{other}{path.removeprefix(f'/{lang}')}"
    return f"{target}?{request.url.query}" if request.url.query else target


def _page(request: Request, lang: Lang, template: str, status_code: int = 200,
          caller: Caller | None = None, city: City | None = None, **context) -> HTMLResponse:
    root = root_path(request)
    return _templates.TemplateResponse(request, template, {
        "lang": lang, "dir": direction(lang), "w": words(lang), "root": root,
        "base": f"{root}/{lang}", "static": f"{root}/static", "web_static": root + STATIC_URL,
        "toggle_url": _switch_language(request, lang),
        "toggle_name": LANGUAGE_NAMES[other_language(lang)],
        "toggle_lang": other_language(lang),
        "caller": caller, "city": city, "city_name": city.name_in(lang) if city else "",
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }, status_code=status_code)


def render_page(request: Request, lang: Lang, template: str, status_code: int = 200,
                **context) -> HTMLResponse:
    """A page in the site's frame, for the page modules of their own (compare_page)."""
    return _page(request, lang, template, status_code, **context)


def _district_names(name_en: object, name_ar: object, lang: Lang) -> tuple[str, str]:
    """(first, second) name: Arabic first on Arabic pages, each falling back on the other."""
    en = name_en if isinstance(name_en, str) else ""
    ar = name_ar if isinstance(name_ar, str) else ""
    first, second = (ar, en) if lang == "ar" else (en, ar)
    return (first or second, second if first else "")


def _indicator_name(info: IndicatorInfo, lang: Lang) -> str:
    return (info.name_ar if lang == "ar" else "") or info.name_en


@router.get("/")
def home(request: Request, store: StoreDep) -> RedirectResponse:
    return _start_page(request, "en", store)


@router.get("/en")
def home_en(request: Request, store: StoreDep) -> RedirectResponse:
    return _start_page(request, "en", store)


@router.get("/ar")
def home_ar(request: Request, store: StoreDep) -> RedirectResponse:
    return _start_page(request, "ar", store)


def _start_page(request: Request, lang: Lang, store: Store) -> RedirectResponse:
    """A newcomer's first page: the only city's dashboard, or the list of the cities."""
    cities = store.cities()
    target = f"/{lang}/cities/{cities[0].slug}" if len(cities) == 1 else f"/{lang}/cities"
    return RedirectResponse(f"{root_path(request)}{target}", status_code=307)


@router.get("/{lang}/cities", response_class=HTMLResponse)
def city_list(request: Request, lang: Lang, store: StoreDep) -> HTMLResponse:
    cities = sorted(store.cities(), key=lambda c: c.name_in(lang))
    return _page(request, lang, "cities.html",
                 cities=[(c.slug, c.name_in(lang), c.country) for c in cities])


def _downloads(request: Request, city: City, indicator: str, period: str | None,
               level: Level, levels: list[Level]) -> list[tuple[str, str, str]]:
    """(format, label, URL) of each file the layer downloads as (OGC items with ``f=``)."""
    top = level.name == levels[0].name
    layer = LayerRef(city, "indicator", indicator, None if top else level.name)
    query = {"period": period} if period else {}
    base = f"{root_path(request)}/collections/{layer.id}/items"
    return [(fmt, FILE_FORMATS[fmt].label, f"{base}?{urlencode({'f': fmt, **query})}")
            for fmt in LAYER_FORMATS]


def _with_unit(info: IndicatorInfo, lang: Lang) -> str:
    """The indicator's name, and its unit where the name does not already say it."""
    name, unit = _indicator_name(info, lang), unit_name(info.unit, lang)
    return f"{name} ({unit})" if unit and unit not in name else name


def _indicator_groups(ids: list[str], catalog: Mapping[str, IndicatorInfo],
                      lang: Lang) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's options: (framework name, [(id, indicator name and unit)]), each sorted
    by name."""
    names = framework_names(lang)
    groups: dict[str, list[tuple[str, str]]] = {}
    for ident in ids:
        info = info_of(catalog, ident)
        label = names.get(info.framework, info.framework or "—")
        groups.setdefault(label, []).append((ident, _with_unit(info, lang)))
    return [(label, sorted(options, key=lambda o: o[1])) for label, options in
            sorted(groups.items())]


@router.get("/{lang}/cities/{city}", response_class=HTMLResponse)
def dashboard(
    request: Request,
    lang: Lang,
    city: CityDep,
    store: StoreDep,
    caller: PageCallerDep,
    level: LevelDep,
    indicator: str | None = Query(None, description="indicator id; default: foreign citizens"),
    period: str | None = Query(None, description="e.g. 2025; default: the indicator's latest"),
    dimension: str | None = Query(None, description="with group: that group's share "
                                  "(birthplace, migration_background…) instead of indicator"),
    group: str | None = Query(None, description="a group of dimension; default: its first "
                              "group but the reference one"),
) -> HTMLResponse:
    w = words(lang)
    levels = store.levels(city.slug)
    switch = level_switch(request, levels, level, lang)
    changes_url = (f"{root_path(request)}/{lang}/cities/{city.slug}/boundaries"
                   if ended_versions(store, city) else None)
    values = store.indicator_values(city.slug, level=level.name)
    mapped = values[values["district_code"].notna()]
    ids = sorted(mapped["indicator_id"].unique())
    if not ids:
        return _page(request, lang, "dashboard.html", caller=caller, city=city, indicator=None,
                     level_switch=switch, changes_url=changes_url,
                     message=w["no_values"].format(city=city.slug))
    catalog = indicator_catalog()
    shares = group_share_choices(ids, catalog)
    if dimension in shares:
        indicator = _group_share(shares[dimension], dimension, group)
    if indicator is None or indicator not in ids:
        indicator = DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0]
    shown_group = catalog.group_of(indicator)
    chosen = values[values["indicator_id"] == indicator]
    periods = sorted(chosen["period"].astype(str).unique(), reverse=True)
    if period not in periods:
        period = periods[0]
    now = shown_values(chosen[chosen["period"].astype(str) == period], PUBLIC)
    display = indicator_display(indicator, lang)
    by_code = now.set_index(now["district_code"].fillna("").astype(str))

    def cell(code: str, column: str, spec: str, missing: str | None = None) -> str:
        if code not in by_code.index:
            return w["no_data"]
        row = by_code.loc[code]
        return number_text(row[column], spec, suppressed=bool(row["suppressed"]), words=w,
                           missing=missing)

    def estimated(code: str) -> bool:
        return code in by_code.index and bool(by_code.loc[code, "estimate"])

    districts = store.districts(city.slug, level=level.name).sort_values("code")
    rows = [
        {"code": str(d.code), "names": _district_names(d.name_en, d.name_ar, lang),
         "value": cell(str(d.code), "value", display.value_format),
         "score": cell(str(d.code), "score", SCORE_FORMAT, NO_SCORE),
         "estimated": estimated(str(d.code))}
        for d in districts.itertuples()
    ]
    # A city of one level keeps the links it had before cities had levels.
    at_level = {"level": level.name} if len(levels) > 1 else {}
    query = {"period": period, "lang": lang, **at_level}
    root = root_path(request)
    return _page(
        request, lang, "dashboard.html", caller=caller, city=city,
        indicator=indicator, indicator_label=display.label, period=period, periods=periods,
        unit=unit_name(info_of(catalog, indicator).unit, lang),
        groups=_indicator_groups(ids, catalog, lang), rows=rows,
        share_dimensions=[(d, dimension_name(d, lang)) for d in shares],
        share_dimension=shown_group[0] if shown_group else None,
        share_groups=[(g, group_name(shown_group[0], g, lang))
                      for g in shares[shown_group[0]]] if shown_group else [],
        share_group=shown_group[1] if shown_group else None,
        segregation_url=f"{root}/{lang}/cities/{city.slug}/segregation?" + urlencode(
            {**({"dimension": shown_group[0]} if shown_group else {}), **at_level}),
        city_value=cell("", "value", display.value_format),
        level=level, level_name=level.name_in(lang), level_switch=switch,
        several_levels=len(levels) > 1, changes_url=changes_url, estimate_mark=ESTIMATE_MARK,
        estimates=estimate_methods(now["estimate"]),
        map_url=f"{root}/maps/{city.slug}/{indicator}?{urlencode(query)}",
        layers_url=f"{root}/maps/{city.slug}/layers?{urlencode({'indicator': indicator, **query})}",
        hotspot_url=f"{root}/maps/{city.slug}/hotspots/{indicator}?{urlencode(query)}",
        profile_query=urlencode({"period": period, **at_level}),
        downloads=_downloads(request, city, indicator, period, level, levels),
    )


def _group_share(groups: dict[str, str], dimension: str, group: str | None) -> str:
    """The share indicator of ``group`` of ``dimension``; an unknown or missing group: the
    first group but the dimension's reference group (the majority the others are set
    against)."""
    if group in groups:
        return groups[group]
    info = dimension_info(dimension)
    others = [g for g in groups if info is None or g != info.reference] or list(groups)
    return groups[others[0]]


@router.get("/{lang}/cities/{city}/districts/{code}", response_class=HTMLResponse)
def district_page(
    request: Request,
    lang: Lang,
    city: CityDep,
    code: str,
    store: StoreDep,
    caller: PageCallerDep,
    level: LevelDep,
    period: str | None = Query(None, description="e.g. 2025; default: each indicator's latest"),
) -> HTMLResponse:
    w = words(lang)
    mine = store.indicator_values(city.slug, level=level.name)
    periods = sorted(mine.loc[mine["district_code"] == code, "period"].astype(str).unique(),
                     reverse=True)
    if period not in periods:
        period = None
    profile = district_profile(store, city, code, PUBLIC, period, level=level.name)
    catalog = indicator_catalog()
    levels_of = store.levels(city.slug)
    entries = []
    for entry in sorted(profile["indicators"], key=lambda e: (e["framework"], e["indicator_id"])):
        info = info_of(catalog, entry["indicator_id"])
        spec = value_format(entry["unit"])
        entries.append({
            "id": entry["indicator_id"], "name": _indicator_name(info, lang),
            "unit": unit_name(info.unit, lang),
            "period": entry["period"], "grain": grain_text(entry["grain"], lang),
            "value": number_text(entry["value"], spec, suppressed=entry["suppressed"], words=w),
            "score": number_text(entry["score"], SCORE_FORMAT, suppressed=entry["suppressed"],
                                 words=w, missing=NO_SCORE),
            "city_value": number_text(entry["city_value"], spec, words=w),
            "downloads": _downloads(request, city, entry["indicator_id"], entry["period"],
                                    level, list(levels_of))[:1],
            "estimated": bool(entry["estimate"]),
            "row_class": " ".join(name for name, on in (("suppressed", entry["suppressed"]),
                                                         ("estimated", entry["estimate"])) if on),
        })
    levels = {lv.name: lv for lv in store.levels(city.slug)}
    return _page(request, lang, "profile.html", caller=caller, city=city, code=code,
                 names=_district_names(profile["name_en"], profile["name_ar"], lang),
                 area=area_text(profile["area_m2"]), period=period, periods=periods,
                 entries=entries, level=level, level_name=level.name_in(lang),
                 several_levels=len(levels) > 1,
                 parent=_area_link(profile["parent"], levels, lang),
                 children=[_area_link(c, levels, lang) for c in profile["children"]],
                 estimate_mark=ESTIMATE_MARK,
                 estimates=estimate_methods(e["estimate"] for e in profile["indicators"]))


def _area_link(area: dict | None, levels: dict[str, Level], lang: Lang) -> dict | None:
    """An area at another level as the profile links to it: its level's name and its names."""
    if area is None:
        return None
    level = levels.get(area["level"])
    return {"code": area["code"], "level": area["level"],
            "level_name": level.name_in(lang) if level else area["level"],
            "name": _district_names(area["name_en"], area["name_ar"], lang)[0] or area["code"]}


@router.get("/{lang}/cities/{city}/boundaries", response_class=HTMLResponse)
def boundaries_page(request: Request, lang: Lang, city: CityDep, store: StoreDep,
                    caller: PageCallerDep, boundary: BoundaryDep) -> HTMLResponse:
    """Each ended boundary version: old and new outlines, and what became of each area."""
    root = root_path(request)
    levels = {lv.name: lv for lv in store.levels(city.slug)}
    changes = [
        {**change,
         "level_name": levels[change["level"]].name_in(lang) if change["level"] in levels
         else change["level"],
         "map_url": f"{root}/maps/{city.slug}/boundaries/{change['level']}/"
                    f"{change['valid_from']}?{urlencode({'lang': lang})}"}
        for change in boundary_changes(store, city, boundary.identity_overlap)["changes"]
    ]
    return _page(request, lang, "boundaries.html", caller=caller, city=city, changes=changes,
                 identity_percent=f"{boundary.identity_overlap * 100:g}")


def _officer_or_sign_in(request: Request, lang: Lang, caller: Caller,
                        city: City) -> HTMLResponse | None:
    """None when ``caller`` may see ingest runs; otherwise the sign-in page saying why."""
    if caller.at_least(REVIEWER):
        return None
    w = words(lang)
    if caller.key_hash is None:
        message, status = w["needs_role"].format(role=REVIEWER), 401
    else:
        message, status = w["role_too_low"].format(role=caller.role, needed=REVIEWER), 403
    return _page(request, lang, "sign_in.html", status_code=status, caller=caller, city=city,
                 message=message, next_url=request.url.path)


@router.get("/{lang}/cities/{city}/runs", response_class=HTMLResponse)
def runs_page(request: Request, lang: Lang, city: CityDep, store: StoreDep,
              caller: PageCallerDep) -> HTMLResponse:
    refused = _officer_or_sign_in(request, lang, caller, city)
    if refused is not None:
        return refused
    return _page(request, lang, "runs.html", caller=caller, city=city, runs=store.runs(city.slug))


@router.get("/{lang}/cities/{city}/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, lang: Lang, city: CityDep, run_id: str, store: StoreDep,
             caller: PageCallerDep) -> HTMLResponse:
    refused = _officer_or_sign_in(request, lang, caller, city)
    if refused is not None:
        return refused
    run = store.run(run_id)
    if run is None or run.city != city.slug:
        raise HTTPException(404, f"No ingest run {run_id!r} in {city.slug}; list them at "
                                 f"/{lang}/cities/{city.slug}/runs.")
    return _page(request, lang, "run.html", caller=caller, city=city, run=run,
                 rejected=store.rejected_rows(run_id))


@router.get("/{lang}/cities/{city}/field", response_class=HTMLResponse)
def field_page(request: Request, lang: Lang, city: CityDep, caller: PageCallerDep,
               api_settings: ApiSettingsDep) -> HTMLResponse:
    root = root_path(request)
    w = words(lang)
    page_data = {
        "submit_url": f"{root}/cities/{city.slug}/field-reports",
        "districts_url": f"{root}/cities/{city.slug}/districts",
        "basemap": ({"url": api_settings.basemap_url,
                     "attribution": api_settings.basemap_attribution}
                    if api_settings.basemap_url else None),
        "words": {k: w[k] for k in ("sending", "sent", "not_sent")},
    }
    return _page(request, lang, "field.html", caller=caller, city=city, page_data=page_data,
                 categories=[(key, w[key]) for key in FIELD_CATEGORIES])


@router.get("/{lang}/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    lang: Lang,
    caller: PageCallerDep,
    next_url: str | None = Query(None, alias="next", description="page to return to"),
) -> HTMLResponse:
    return _page(request, lang, "sign_in.html", caller=caller, message="",
                 next_url=local_target(next_url, f"{root_path(request)}/{lang}/cities"))


@router.post("/{lang}/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, lang: Lang, store: StoreDep, key: Annotated[str, Form()],
            next_url: Annotated[str, Form()] = "") -> Response:
    target = local_target(next_url, f"{root_path(request)}/{lang}/cities")
    key = key.strip()
    if not key or known_caller(store, key) is None:
        return _page(request, lang, "sign_in.html", status_code=401, caller=PUBLIC,
                     message=words(lang)["unknown_key"], next_url=target)
    response = RedirectResponse(target, status_code=303)
    remember_key(response, request, key)
    return response


@router.post("/{lang}/sign-out")
def sign_out(request: Request, lang: Lang) -> RedirectResponse:
    response = RedirectResponse(f"{root_path(request)}/{lang}/cities", status_code=303)
    forget_key(response)
    return response
