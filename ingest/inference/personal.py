"""The personal-data columns of administrative records: identifiers, names, document numbers,
birth dates. They are flagged so that the admin feed drops or pseudonymises them; their values
never appear in a proposal, a note or a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ingest.inference.vocabulary import folded

PERSON_ID = re.compile(r"(person|client|beneficiary|applicant|individual|case|file)_?(id|no|"
                       r"number|ref)$|^(pid|person|id_person)$")
RECORD_ID = re.compile(r"(record|row|entry|visit|service|request)_?(id|no|number)$|^id$")
NAME = re.compile(r"(^|_)(full_?name|first_?name|last_?name|family_?name|surname|given_?name|"
                  r"name|ism|nom)(_|$)")
DOCUMENT = re.compile(r"(document|passport|doc|id_card|national_id|residence_permit|permit)"
                      r"(_?(no|number|nr|id))?$")
BIRTH = re.compile(r"birth|dob|born")
NOT_A_PERSON_NAME = re.compile(r"district|service|area|street|city|country|nationality")
DOCUMENT_LIKE = re.compile(r"^[A-Z]{1,3}\d{6,10}$")


@dataclass(frozen=True)
class PersonalColumns:
    person_id: str | None = None
    record_id: str | None = None
    names: list[str] = field(default_factory=list)
    document_numbers: list[str] = field(default_factory=list)
    birth_year: str | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # column -> why

    @property
    def columns(self) -> list[str]:
        found = [self.person_id, self.record_id, *self.names, *self.document_numbers,
                 self.birth_year]
        return [column for column in found if column]


def personal_columns(frame: pd.DataFrame) -> PersonalColumns:
    """What each column is, from its name first, then from its values' shape (an identifier
    repeats for a returning person; a record id never repeats; a document number is letters
    then digits)."""
    person = record = birth = None
    names: list[str] = []
    documents: list[str] = []
    reasons: dict[str, str] = {}
    for column in frame.columns:
        name = folded(str(column))
        values = frame[column].dropna().astype(str)
        unique = values.is_unique and len(values) > 1
        if person is None and PERSON_ID.search(name):
            person = column
            repeat = "; some persons come back" if not unique else ""
            reasons[column] = f"a person identifier (by its name{repeat}): pseudonymised"
        elif record is None and RECORD_ID.search(name) and unique:
            record = column
            reasons[column] = "a record identifier (every value distinct): checked, dropped"
        elif DOCUMENT.search(name) or (len(values) and values.str.fullmatch(DOCUMENT_LIKE)
                                       .mean() > 0.9 and values.nunique() > 0.5 * len(values)):
            documents.append(column)
            reasons[column] = "document numbers: dropped, never loaded as values"
        elif NAME.search(name) and not NOT_A_PERSON_NAME.search(name):
            names.append(column)
            reasons[column] = "persons' names: dropped, never loaded as values"
        elif birth is None and BIRTH.search(name):
            birth = column
            reasons[column] = "the birth year: checked, then dropped"
    return PersonalColumns(person, record, names, documents, birth, reasons)
