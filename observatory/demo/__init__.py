"""A fictional, deterministic demo city: every kind of file the observatory ingests."""

from observatory.demo.city import DemoCity
from observatory.demo.generate import generate_demo_city

__all__ = ["DemoCity", "generate_demo_city"]
