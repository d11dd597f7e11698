"""Every indicator the pages list is named, and its unit named, in English and Arabic: the
defined ones, the per-group and the per-category ones."""

from __future__ import annotations

from observatory.services.indicator_catalog import indicator_catalog
from observatory.services.indicator_display import label_with_unit, unit_name


def test_every_definition_has_both_names_and_a_unit_named_in_both_languages():
    catalog = indicator_catalog()
    for ident in catalog:
        info = catalog[ident]
        assert info.name_en.strip() and info.name_ar.strip(), ident
        assert unit_name(info.unit, "en") and unit_name(info.unit, "ar"), ident
        if info.unit:  # a unit without an Arabic name would show in English on Arabic pages
            assert unit_name(info.unit, "ar") != info.unit or not info.unit.isascii(), ident


def test_generated_ids_are_named_from_the_vocabularies_and_unknown_ones_visibly():
    catalog = indicator_catalog()
    assert catalog["migration_background_group_share.yes"].name_en == (
        "Share of residents by migration background: With a migration background")
    rate = catalog["service_requests_by_category_per_1000_residents.lighting"]
    assert rate.name_ar == "طلبات الخدمة حسب الفئة لكل 1000 مقيم: إنارة الشوارع"
    odd = catalog["service_requests_by_category_per_1000_residents.graffiti"]
    assert odd.name_ar.endswith("graffiti (لا اسم له في المفردات)")
    assert catalog.group_of("birthplace_share.foreign_born") == ("birthplace", "foreign_born")
    assert catalog.group_of("service_requests_by_category_per_1000_residents.waste") is None
    assert label_with_unit("fire_per_km2", "ar") == "الحرائق لكل كم²"  # the name says it
    assert label_with_unit("citizenship_share.syrian", "en") == (
        "Share of residents by citizenship: Syrian (share)")
