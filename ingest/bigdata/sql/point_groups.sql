-- The one pass over the file, per period and group. Each good point looks its grid cell up
-- (grid.py): place is a district position (0…) for a cell wholly inside that district, -1 for
-- one wholly outside the city (or beyond the grid), -2 for one a border crosses. A point placed
-- -1 whose lon and lat swapped would land on the grid gets -2 too. Points placed -2 are kept
-- per location, for exact.py; rows failing a check are only counted (place NULL: the second
-- pass, Feed.listed_problems, says why). The dimensions placeholder becomes dim_0, dim_1… each
-- with a comma.
WITH cell AS (
    SELECT
        *,
        floor((lon - $grid_x0) / $grid_size) AS ix,
        floor((lat - $grid_y0) / $grid_size) AS iy
    FROM checked_feed
), kind AS (
    SELECT
        c.* EXCLUDE (ix, iy),
        CASE
            WHEN c.problem IS NOT NULL THEN NULL
            WHEN ix BETWEEN 0 AND $grid_nx - 1 AND iy BETWEEN 0 AND $grid_ny - 1
                THEN g.kinds[CAST(iy * $grid_nx + ix AS BIGINT) + 1]
            ELSE -1
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
        CASE WHEN problem IS NULL THEN date_trunc($period_unit, time) END AS period_start,
        {dimensions}
        CASE WHEN place = -2 THEN lon END AS lon,
        CASE WHEN place = -2 THEN lat END AS lat,
        count(*) AS n
    FROM placed
    GROUP BY ALL
)
SELECT * EXCLUDE (period_start), strftime(period_start, $period_format) AS period
FROM counted
