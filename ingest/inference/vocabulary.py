"""What the shipped specs call the columns they map, so that a file laid out as a known
publisher's table is proposed as the project already loads it.

The shipped specs (``ingest/specs/<city>/``, ``observatory/demo/specs/``) are read as data: a
census spec's value columns give a *layout* (a table holding all of them is that table, and
only its mapped columns are loaded: the same column name can mean another thing in another
table, e.g. Berlin's ``inhabitants`` is everyone in t1 but those with a migration background
in t4); its dimension columns give a key and a value mapping; the admin and cdr specs give
their mappings, an events spec its attributes' names (a Shapefile's ``Case _mber`` is
``case_number``). A column no spec names gets a name made from the column itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SPEC_FOLDERS = (REPO / "ingest" / "specs", REPO / "observatory" / "demo" / "specs")


@dataclass(frozen=True)
class Layout:
    source: str  # the spec file, relative to the repository
    variables: tuple[dict[str, Any], ...]  # the spec's variables entries

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(entry["column"] for entry in self.variables)


@dataclass(frozen=True)
class Dimension:
    key: str
    values: dict[str, str]
    source: str


@dataclass(frozen=True)
class Vocabulary:
    layouts: tuple[Layout, ...] = ()
    variables: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)  # folded col
    dimensions: dict[str, Dimension] = field(default_factory=dict)  # folded column ->
    admin: tuple[tuple[dict[str, Any], str], ...] = ()  # (spec, source)
    metrics: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    # Events specs that rename their attributes: (attribute name -> column, source).
    attributes: tuple[tuple[dict[str, str], str], ...] = ()

    def attributes_for(self, columns: Iterable[str]) -> tuple[dict[str, str], str] | None:
        """The known renaming whose columns are all in ``columns`` (the largest such)."""
        present = set(columns)
        fitting = [known for known in self.attributes if set(known[0].values()) <= present]
        return max(fitting, key=lambda known: len(known[0]), default=None)

    def layout_for(self, columns: Iterable[str]) -> Layout | None:
        """The known table whose value columns are all in ``columns`` (the largest such)."""
        present = set(columns)
        fitting = [layout for layout in self.layouts if layout.columns <= present]
        return max(fitting, key=lambda layout: len(layout.columns), default=None)


def folded(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", column.casefold()).strip("_")


def shipped_vocabulary(folders: Iterable[Path] = SPEC_FOLDERS) -> Vocabulary:
    layouts: list[Layout] = []
    variables: dict[str, tuple[dict[str, Any], str]] = {}
    dimensions: dict[str, Dimension] = {}
    admin: list[tuple[dict[str, Any], str]] = []
    metrics: dict[str, tuple[dict[str, Any], str]] = {}
    attributes: list[tuple[dict[str, str], str]] = []
    for path in sorted(p for folder in folders for p in folder.rglob("*.yaml")):
        # The project's own files: libyaml's fast safe loader, not the guarded one for uploads.
        spec = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader",
                                                                  yaml.SafeLoader))
        source = path.relative_to(REPO).as_posix()
        if not isinstance(spec, dict):
            continue
        feed = spec.get("feed")
        for key, dimension in (spec.get("dimensions") or {}).items():
            values = {str(k): str(v) for k, v in (dimension.get("values") or {}).items()}
            dimensions.setdefault(folded(str(dimension["column"])),
                                  Dimension(str(key), values, source))
        if feed == "census":
            entries = tuple({**entry, "column": str(entry["column"])}
                            for entry in spec.get("variables") or ())
            layouts.append(Layout(source, entries))
            for entry in entries:
                variables.setdefault(folded(entry["column"]), (entry, source))
        elif feed == "admin":
            admin.append((spec, source))
        elif feed == "events" and isinstance(spec.get("attributes"), dict):
            attributes.append(({str(k): str(v) for k, v in spec["attributes"].items()}, source))
        elif feed == "cdr":
            for metric, meaning in (spec.get("metrics") or {}).items():
                metrics.setdefault(str(metric), (meaning, source))
    return Vocabulary(tuple(layouts), variables, dimensions, tuple(admin), metrics,
                      tuple(attributes))


def snake(column: str) -> str:
    """A variable or dimension name made from a column name (``TOT_POP`` -> ``tot_pop``)."""
    name = folded(column) or "value"
    return name if name[0].isalpha() else f"v_{name}"
