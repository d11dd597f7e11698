"""The time zone of times written without an offset: the zone whose principal city (the tz
database's ``zone1970.tab``) lies nearest the points, among the zones of the city's country.

A guess, said as one: a point near a zone border can sit nearer another zone's principal city,
so the choice names the city it was measured from and asks the officer to check it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

SYSTEM_TABLE = Path("/usr/share/zoneinfo/zone1970.tab")
COORDINATES = re.compile(r"([+-]\d{2})(\d{2})(\d{2})?([+-]\d{3})(\d{2})(\d{2})?")


@dataclass(frozen=True)
class Zone:
    name: str  # IANA name, e.g. America/Chicago
    countries: frozenset[str]  # ISO 3166 alpha-2 codes
    lat: float
    lon: float


@dataclass(frozen=True)
class ZoneGuess:
    zone: str
    km: float  # from the points' centre to the zone's principal city
    country: str  # the country the zones were chosen among; "" for every zone

    def why(self) -> str:
        place = self.zone.rsplit("/", 1)[-1].replace("_", " ")
        among = f"{self.country}'s zones" if self.country else "all zones (no country known)"
        return (f"no UTC offset in the times: read as {self.zone}, the one of {among} "
                f"whose principal city ({place}) is nearest the points, {self.km:.0f} km: "
                "CHECK it")


def guess_zone(lon: float, lat: float, country: str = "") -> ZoneGuess | None:
    """The zone nearest (``lon``, ``lat``), among ``country``'s zones when it has any."""
    zones = _zones()
    among = [z for z in zones if country.upper() in z.countries] if country else []
    if not among:
        among, country = list(zones), ""
    if not among:
        return None
    best = min(among, key=lambda z: _km(lon, lat, z.lon, z.lat))
    return ZoneGuess(best.name, _km(lon, lat, best.lon, best.lat), country.upper())


@cache
def _zones() -> tuple[Zone, ...]:
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone1970.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        text = SYSTEM_TABLE.read_text("utf-8") if SYSTEM_TABLE.is_file() else ""
    zones = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        countries, where, name, *_ = line.split("\t")
        found = COORDINATES.fullmatch(where)
        if found is None:
            continue
        lat = _degrees(found.group(1), found.group(2), found.group(3))
        lon = _degrees(found.group(4), found.group(5), found.group(6))
        zones.append(Zone(name, frozenset(countries.split(",")), lat, lon))
    return tuple(zones)


def _degrees(degrees: str, minutes: str, seconds: str | None) -> float:
    sign = -1 if degrees.startswith("-") else 1
    return sign * (abs(int(degrees)) + int(minutes) / 60 + int(seconds or 0) / 3600)


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
