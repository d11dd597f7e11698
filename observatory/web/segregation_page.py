"""The segregation page, ``/{lang}/cities/{city}/segregation?dimension=&group=&level=&period=``:
how segregated one population group is across the areas of a level, over any dimension the
city's data carries (citizenship, place of birth, migration background…), chosen on the page.
It shows what the public role sees: measures rounded, withheld for a small group."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from indicators.vocabulary import dimension_name
from observatory.http.deps import CityDep, DisclosureDep, LevelDep, StoreDep
from observatory.services.callers import PUBLIC
from observatory.services.errors import ServiceError
from observatory.services.segregation import city_segregation, group_label, segregation_choices
from observatory.web.i18n import Lang
from observatory.web.levels import level_switch
from observatory.web.routes import PageCallerDep, _page

# The measures in the order shown, named in each language (methodology: segregation).
MEASURES: dict[str, dict[str, str]] = {
    "dissimilarity": {"en": "Dissimilarity index", "ar": "مؤشر التباين (الاختلاف)"},
    "gini": {"en": "Gini index", "ar": "مؤشر جيني"},
    "isolation": {"en": "Isolation index", "ar": "مؤشر العزلة"},
    "interaction": {"en": "Interaction index", "ar": "مؤشر التفاعل"},
    "theil_entropy": {"en": "Theil entropy index", "ar": "مؤشر ثايل للإنتروبيا"},
    "atkinson_b0.5": {"en": "Atkinson index (b = 0.5)", "ar": "مؤشر أتكينسون (b = 0.5)"},
    "multigroup_dissimilarity": {"en": "Multigroup dissimilarity",
                                 "ar": "التباين متعدد المجموعات"},
    "multigroup_theil": {"en": "Multigroup Theil index", "ar": "مؤشر ثايل متعدد المجموعات"},
    "multigroup_diversity": {"en": "Multigroup diversity (entropy)",
                             "ar": "التنوع متعدد المجموعات (الإنتروبيا)"},
    "multigroup_diversity_normalised": {"en": "Multigroup diversity (normalised 0–1)",
                                        "ar": "التنوع متعدد المجموعات (مطبّع 0–1)"},
    "simpsons_concentration": {"en": "Simpson's concentration", "ar": "تركّز سيمبسون"},
    "simpsons_interaction": {"en": "Simpson's interaction", "ar": "تفاعل سيمبسون"},
    "moran": {"en": "Moran's I of the group's share (queen contiguity)",
              "ar": "مؤشر موران لنسبة المجموعة (تجاور الملكة)"},
}


router = APIRouter(tags=["pages"], include_in_schema=False)


def add_segregation_page(app: FastAPI) -> None:
    app.include_router(router)


@router.get("/{lang}/cities/{city}/segregation", response_class=HTMLResponse)
def segregation_page(
    request: Request,
    lang: Lang,
    city: CityDep,
    store: StoreDep,
    caller: PageCallerDep,
    level: LevelDep,
    disclosure: DisclosureDep,
    dimension: str | None = Query(None, description="default: the first the data carries"),
    group: str | None = Query(None, description="default: foreign (all but the reference)"),
    period: str | None = Query(None, description="default: the latest"),
) -> HTMLResponse:
    choices = segregation_choices(store, city, level.name)
    if dimension not in choices:
        dimension = next(iter(choices), None)
    groups = choices.get(dimension or "", [])
    if group not in groups:
        group = groups[0] if groups else None
    result, message = None, None
    if dimension is not None:
        try:
            result = city_segregation(store, city, group, dimension=dimension, period=period,
                                      caller=PUBLIC, disclosure=disclosure, level=level.name)
        except ServiceError as exc:
            message = str(exc)
    rows = []
    if result is not None:
        for key, names in MEASURES.items():
            value = result.get(key)
            if key == "moran":
                value = (value or {}).get("I")
            if key in result:
                rows.append({"key": key, "name": names[lang],
                             "value": "—" if value is None else f"{value:g}"})
    return _page(
        request, lang, "segregation.html", caller=caller, city=city,
        level=level, several_levels=len(store.levels(city.slug)) > 1,
        level_switch=level_switch(request, store.levels(city.slug), level, lang),
        dimension=dimension, group=group,
        dimensions=[(d, dimension_name(d, lang)) for d in choices],
        groups=[(g, group_label(dimension, g)[lang]) for g in groups] if dimension else [],
        result=result, rows=rows, message=message,
        group_name=group_label(dimension, group)[lang] if dimension and group else "",
        dimension_label=dimension_name(dimension, lang) if dimension else "",
    )
