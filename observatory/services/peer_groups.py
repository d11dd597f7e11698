"""Peer groups of cities: the three of the ICC reports (all cities, over 200,000 inhabitants,
over 15 % foreign-born) and custom ones by population, foreign-resident share, country or a
list, written as one short text for the CLI, the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from observatory.services.errors import InvalidRequest

# The ICC reports' thresholds (methodology §2; indicators/icc/benchmark.py ranks by the same).
LARGE_CITY = 200_000
DIVERSE_CITY = 0.15

# The groups a picker offers, with their names in each language.
NAMED_GROUPS: dict[str, dict[str, str]] = {
    "all": {"en": "All cities", "ar": "جميع المدن"},
    "over-200k": {"en": "Cities over 200,000 inhabitants", "ar": "المدن التي يزيد سكانها على 200,000"},
    "foreign-born-15": {"en": "Cities over 15 % foreign-born",
                        "ar": "المدن التي تزيد فيها نسبة المولودين في الخارج على 15 %"},
}
PEER_GROUP_HELP = (
    "all | over-200k | foreign-born-15 | custom criteria joined by ';': "
    "population:MIN-MAX, foreign:MIN-MAX (share 0-1), country:AT,DE, cities:a,b,c "
    "(either bound may be left empty, e.g. population:500000-)"
)


@dataclass(frozen=True)
class CityFacts:
    """What peer groups select on, per city: population and the foreign-resident share (with
    the dimension it counts: birthplace by the ICC convention, else what the city holds)."""

    slug: str
    name_en: str
    name_ar: str = ""
    country: str = ""
    population: float | None = None
    foreign_share: float | None = None
    foreign_dimension: str | None = None  # birthplace, migration_background or citizenship
    external: bool = False  # imported from another observatory's benchmark bundle

    def name_in(self, lang: str) -> str:
        return (self.name_ar if lang == "ar" else "") or self.name_en


@dataclass(frozen=True)
class PeerGroup:
    id: str = "all"
    population: tuple[float | None, float | None] = (None, None)
    foreign: tuple[float | None, float | None] = (None, None)
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()

    def names(self) -> dict[str, str]:
        if self.id in NAMED_GROUPS:
            return NAMED_GROUPS[self.id]
        en, ar = [], []
        if self.population != (None, None):
            en.append(f"population {_range_text(self.population, '{:,.0f}')}")
            ar.append(f"عدد السكان {_range_text(self.population, '{:,.0f}')}")
        if self.foreign != (None, None):
            en.append(f"foreign residents {_range_text(self.foreign, '{:.0%}')}")
            ar.append(f"نسبة المقيمين الأجانب {_range_text(self.foreign, '{:.0%}')}")
        if self.countries:
            en.append(f"country {', '.join(self.countries)}")
            ar.append(f"البلد {'، '.join(self.countries)}")
        if self.cities:
            en.append(f"cities {', '.join(self.cities)}")
            ar.append(f"المدن {'، '.join(self.cities)}")
        return {"en": "Custom group: " + "; ".join(en), "ar": "مجموعة مخصصة: " + "؛ ".join(ar)}

    def uses_foreign_share(self) -> bool:
        return self.id == "foreign-born-15" or self.foreign != (None, None)

    def admits(self, city: CityFacts) -> bool:
        """Whether ``city`` belongs; a city without the figure a criterion needs does not."""
        if self.id == "over-200k":
            return city.population is not None and city.population > LARGE_CITY
        if self.id == "foreign-born-15":
            return city.foreign_share is not None and city.foreign_share > DIVERSE_CITY
        if self.population != (None, None) and not _within(city.population, self.population):
            return False
        if self.foreign != (None, None) and not _within(city.foreign_share, self.foreign):
            return False
        if self.countries and city.country.upper() not in self.countries:
            return False
        return not self.cities or city.slug in self.cities

    def members(self, cities: Iterable[CityFacts]) -> list[CityFacts]:
        return [c for c in cities if self.admits(c)]


def parse_peer_group(text: str | None) -> PeerGroup:
    """``all``, ``over-200k``, ``foreign-born-15`` or criteria such as
    ``population:100000-500000;country:AT,DE``; the message names the part to fix."""
    text = (text or "all").strip()
    if text in NAMED_GROUPS:
        return PeerGroup(text)
    found: dict = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, colon, arg = part.partition(":")
        key, arg = key.strip().lower(), arg.strip()
        if not colon or not arg:
            raise InvalidRequest(f"Peer group {text!r}: {part!r} is not a criterion. Fix: "
                                 f"write {PEER_GROUP_HELP}.")
        if key in ("population", "foreign"):
            found[key] = _parse_range(text, key, arg)
        elif key == "country":
            found["countries"] = tuple(sorted({c.strip().upper() for c in arg.split(",")
                                               if c.strip()}))
        elif key == "cities":
            found["cities"] = tuple(dict.fromkeys(c.strip() for c in arg.split(",")
                                                  if c.strip()))
        else:
            raise InvalidRequest(f"Peer group {text!r}: unknown criterion {key!r}. Fix: "
                                 f"write {PEER_GROUP_HELP}.")
    if not found:
        raise InvalidRequest(f"Peer group {text!r} names no criterion. Fix: write "
                             f"{PEER_GROUP_HELP}.")
    return PeerGroup("custom:" + text, **found)


def _parse_range(text: str, key: str, arg: str) -> tuple[float | None, float | None]:
    low, dash, high = arg.partition("-")
    try:
        bounds = (float(low) if low.strip() else None, float(high) if high.strip() else None)
    except ValueError:
        bounds = None
    if not dash or bounds is None or bounds == (None, None) or (
            None not in bounds and bounds[0] > bounds[1]):  # type: ignore[operator]
        example = "population:200000-1000000" if key == "population" else "foreign:0.1-0.3"
        raise InvalidRequest(f"Peer group {text!r}: {key}:{arg} is not a range MIN-MAX. Fix: "
                             f"write e.g. {example} (a bound may be empty).")
    if key == "foreign" and any(b is not None and not 0 <= b <= 1 for b in bounds):
        raise InvalidRequest(f"Peer group {text!r}: foreign:{arg} is a share from 0 to 1. "
                             "Fix: write e.g. foreign:0.15-.")
    return bounds


def _within(value: float | None, bounds: tuple[float | None, float | None]) -> bool:
    low, high = bounds
    return value is not None and (low is None or value >= low) and (high is None or
                                                                     value <= high)


def _range_text(bounds: tuple[float | None, float | None], spec: str) -> str:
    low, high = bounds
    return (f"{spec.format(low) if low is not None else '…'}–"
            f"{spec.format(high) if high is not None else '…'}")
