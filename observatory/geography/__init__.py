"""Pure geometry of a city's geographic levels: nesting of a level in its parent, matching of a
redrawn boundary version to the previous one, crosswalk weights that carry counts across it, and
areal interpolation. No store, ingest or web code here: the callers load and save."""
