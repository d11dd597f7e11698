"""Feed specs read as YAML that cannot starve or trick the loader.

A spec is a few dozen lines written by hand, so the reader refuses what no hand-written spec
needs and an attacker would use: files over ``MAX_SPEC_BYTES`` (read before parsing), aliases
(``*name``: an alias bomb expands a kilobyte into gigabytes), nesting deeper than
``MAX_SPEC_DEPTH`` (PyYAML composes recursively: 10,000 levels end in a RecursionError), a key
given twice in one mapping (PyYAML keeps the last one silently) and bytes that are not UTF-8.
Each refusal is an ``IngestError`` naming the spec file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ingest.errors import IngestError

MAX_SPEC_BYTES = 1024 * 1024  # the largest shipped spec is a few kB
MAX_SPEC_DEPTH = 32  # the deepest shipped spec nests 4 levels


class _Refused(Exception):
    def __init__(self, problem: str, line: int, fix: str) -> None:
        super().__init__(problem)
        self.problem, self.line, self.fix = problem, line, fix


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader without aliases, with a depth limit and with duplicate keys refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("an alias (*name) refers to an anchor (&name)",
                           event.start_mark.line + 1,
                           "write the values out in full: specs may not use anchors and aliases")
        self._depth += 1
        try:
            if self._depth > MAX_SPEC_DEPTH:
                raise _Refused(f"the spec nests deeper than {MAX_SPEC_DEPTH} levels",
                               self.peek_event().start_mark.line + 1,
                               "a feed spec nests a few levels: check the indentation")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise _Refused(f"the key {key!r} is given twice (first at line {seen[key]})",
                               line, "keep one of the two: YAML would silently use the last")
            if isinstance(key, (str, int, float, bool)):
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


_GuardedLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _GuardedLoader.construct_mapping)


def read_spec_yaml(path: Path) -> Any:
    """The YAML at ``path`` as Python data, or an ``IngestError`` naming the file and line."""
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise IngestError(f"the spec is {size:,} bytes; a spec is at most "
                              f"{MAX_SPEC_BYTES:,}", file=str(path),
                              fix="check that this is the feed spec and not a data file")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"cannot read the spec ({exc.strerror})", file=str(path), fix="check the spec path"
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"byte {raw[exc.start]:#04x} is not valid UTF-8",
            file=str(path), row=raw[: exc.start].count(b"\n") + 1,
            fix="save the spec as UTF-8 (an editor's 'Save with encoding: UTF-8')",
        ) from exc
    try:
        return yaml.load(text, Loader=_GuardedLoader)  # a SafeLoader subclass
    except _Refused as exc:
        raise IngestError(exc.problem, file=str(path), row=exc.line, fix=exc.fix) from exc
    except yaml.reader.ReaderError as exc:  # a control character such as NUL
        raise IngestError(
            f"the spec holds the control character {exc.character:#06x}, which YAML refuses",
            file=str(path), row=text[: exc.position].count("\n") + 1,
            fix="delete it (a NUL byte, 0x0000, is usually left by a damaged copy)",
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=str(path),
            row=mark.line + 1 if mark else None,
            fix="correct the YAML syntax at that line (indentation, quotes, colons)",
        ) from exc
