-- The one pass over the file, per period and group. Each point with a plausible time looks its
-- grid cell up (grid.py): place is a district position (0…) for a cell wholly inside that
-- district, -1 for one wholly outside the city (or beyond the grid, with valid coordinates),
-- -2 for one a border crosses. A point placed -1 whose lon and lat swapped would land on the
-- grid gets -2 too. Points placed -2 are listed, each as its lon and lat (one list, so the
-- two cannot fall out of step), per period and group, for exact.py: a list is cheaper than
-- grouping every row by its location too. Rows failing a check
-- are only counted (place NULL: the second pass, Feed.listed_problems, says why).
-- Placeholders, filled from the feed's checks (points.py): time_ok and coordinates_ok (per
-- row), on_grid (the cell is on the grid, and the coordinates valid), groups_ok (the checks of
-- the dimensions: they depend on a group's values alone, so are run once a group); dimensions
-- becomes dim_0, dim_1… each with a comma.
WITH cell AS (
    SELECT
        lon, lat, time, {dimensions}
        floor((lon - $grid_x0) / $grid_size) AS ix,
        floor((lat - $grid_y0) / $grid_size) AS iy
    FROM typed_feed
), kind AS (
    SELECT
        c.* EXCLUDE (ix, iy),
        CASE WHEN {time_ok} THEN
            CASE
                WHEN {on_grid} THEN g.kinds[CAST(iy * $grid_nx + ix AS BIGINT) + 1]
                WHEN {coordinates_ok} THEN -1
            END
        END AS kind
    FROM cell AS c, grid_lookup AS g
), placed AS (
    SELECT
        *,
        CASE
            WHEN kind = -1
                AND lat BETWEEN $grid_x0 AND $grid_x0 + $grid_nx * $grid_size
                AND lon BETWEEN $grid_y0 AND $grid_y0 + $grid_ny * $grid_size THEN -2
            ELSE kind
        END AS place
    FROM kind
), counted AS (
    -- the period's start, not its text: a timestamp is cheaper to group by than a string
    SELECT
        place,
        CASE WHEN place IS NOT NULL THEN date_trunc($period_unit, time) END AS period_start,
        {dimensions}
        count(*) AS n,
        list([lon, lat]) FILTER (WHERE place = -2) AS lonlat
    FROM placed
    GROUP BY ALL
), judged AS (
    SELECT * EXCLUDE (place), CASE WHEN {groups_ok} THEN place END AS place FROM counted
)
SELECT
    * EXCLUDE (period_start, lonlat),
    CASE WHEN place IS NOT NULL THEN strftime(period_start, $period_format) END AS period,
    flatten(lonlat) AS lonlat  -- lon, lat, lon, lat…
FROM judged
