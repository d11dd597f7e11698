"""The one error type of the ingest layer: it tells the data officer where and how to fix."""

from __future__ import annotations


class IngestError(Exception):
    """Bad input, named precisely: file, row, column (or spec key), the problem and the fix.

    The message reads like ``census.csv, row 14, column REF_YEAR: 'abc' is not a year — fix:
    give the period as a 4-digit year or set period.value in the spec``.
    """

    def __init__(
        self,
        problem: str,
        *,
        fix: str,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
    ) -> None:
        self.problem = problem
        self.fix = fix
        self.file = file
        self.row = row
        self.column = column
        self.key = key  # a spec key path such as ``district.match``
        super().__init__(self._message())

    def __reduce__(self) -> tuple:
        # Picklable, so that a partition's error on a Dask worker reaches the command whole.
        return _rebuild, (self.problem, self.fix, self.file, self.row, self.column, self.key)

    def _message(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column}" if self.column else None,
                f"key {self.key}" if self.key else None,
            )
            if part
        ]
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{prefix}{self.problem} — fix: {self.fix}"


def _rebuild(problem: str, fix: str, file: str | None, row: int | None, column: str | None,
             key: str | None) -> IngestError:
    return IngestError(problem, fix=fix, file=file, row=row, column=column, key=key)
