"""Fictional, deterministic demo cities: every kind of file the observatory ingests."""

from observatory.demo.city import DEMO_CITIES, DemoCity
from observatory.demo.generate import generate_demo_city

__all__ = ["DEMO_CITIES", "DemoCity", "generate_demo_city"]
