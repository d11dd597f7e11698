"""The time zone of offset-less times: the nearest principal city among the zones of the
city's country (the tz database's zone1970.tab)."""

from __future__ import annotations

from ingest.inference.zones import guess_zone


def test_the_nearest_zone_of_the_country_is_chosen():
    assert guess_zone(-87.66, 41.78, "US").zone == "America/Chicago"
    assert guess_zone(16.37, 48.21, "AT").zone == "Europe/Vienna"
    # Near Gaziantep: Turkey has one zone, however far its principal city.
    found = guess_zone(37.38, 37.07, "TR")
    assert found.zone == "Europe/Istanbul" and found.country == "TR"
    assert 800 < found.km < 900


def test_the_country_keeps_a_border_point_in_its_own_country_but_the_guess_can_miss():
    """El Paso lies nearer Mexico's Ciudad Juárez than any US principal city: without the
    country the guess crosses the border. With it the zone is a US one, but the nearest US
    principal city is Phoenix, while El Paso keeps Mountain time with summer time (Denver):
    the limit of the method, which is why the choice asks the officer to CHECK it."""
    assert guess_zone(-106.44, 31.76).zone == "America/Ciudad_Juarez"
    found = guess_zone(-106.44, 31.76, "US")
    assert found.zone == "America/Phoenix" and found.why().endswith("CHECK it")


def test_an_unknown_country_falls_back_to_every_zone_and_says_so():
    found = guess_zone(13.40, 52.52, "XX")
    assert found.zone == "Europe/Berlin" and found.country == ""
    assert "all zones (no country known)" in found.why()
