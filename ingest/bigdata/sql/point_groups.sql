-- The one pass over the file: every row counted per district (strictly inside), period and
-- group; rows failing a check per problem; points inside no district per location, for
-- point_outside to place. DuckDB plans the LEFT JOIN as a SPATIAL_JOIN (an R-tree over the
-- few districts). The dimensions placeholder becomes dim_0, dim_1… each with a comma.
CREATE TEMP TABLE point_group AS
SELECT
    d.code AS district_code,
    CASE WHEN p.problem IS NULL THEN strftime(p.time, $period_format) END AS period,
    {dimensions}
    CASE WHEN d.code IS NULL AND p.problem IS NULL THEN p.lon END AS lon,
    CASE WHEN d.code IS NULL AND p.problem IS NULL THEN p.lat END AS lat,
    p.problem_column,
    p.problem,
    count(*) AS n
FROM checked_feed AS p
LEFT JOIN district AS d ON ST_Contains(d.geom, ST_Point(p.lon, p.lat))
GROUP BY ALL
