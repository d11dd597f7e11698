"""Group names come from the vocabulary in both languages; a group it lacks is named visibly
as missing, never with an empty name."""

from __future__ import annotations

import pytest

from indicators.vocabulary import (
    VocabularyError,
    dimension_name,
    group_dimensions,
    group_name,
    group_names,
    vocabulary,
)


def test_every_group_of_the_shipped_vocabulary_has_both_names():
    dims = vocabulary()
    assert group_dimensions()[:4] == ["citizenship", "birthplace", "migration_background",
                                      "origin"]
    for dim in dims.values():
        assert dim.names.en and dim.names.ar
        assert dim.reference is None or dim.reference in dim.groups
        for names in dim.groups.values():
            assert names.en.strip() and names.ar.strip()
    assert dims["origin"].overlapping and not dims["birthplace"].overlapping


def test_known_and_unknown_groups():
    assert group_names("birthplace", "foreign_born") == {
        "en": "Foreign-born", "ar": "المولودون في الخارج"}
    assert group_name("migration_background", "yes", "ar") == "ذوو خلفية مهاجرة"
    assert group_name("citizenship", "martian", "en") == "martian (no name in the vocabulary)"
    arabic = group_name("citizenship", "martian", "ar")
    assert arabic.startswith("martian (") and "المفردات" in arabic
    assert group_name("caste", "a", "fr") == "a (no name in the vocabulary)"  # English fallback
    assert dimension_name("birthplace", "en") == "Place of birth"


def test_a_vocabulary_without_an_arabic_name_is_refused(tmp_path):
    bad = tmp_path / "groups.yaml"
    bad.write_text("caste:\n  names: {en: Caste, ar: طائفة}\n  groups: {a: {en: A, ar: ''}}\n",
                   encoding="utf-8")
    with pytest.raises(VocabularyError, match="groups.yaml"):
        vocabulary(bad)
