-- Good points inside no district: one on a border goes to the lowest district code it
-- touches (so it is counted once); the others are outside the city, told apart by whether
-- swapping lon and lat would put them inside.
WITH uncontained AS (
    SELECT * FROM point_group
    WHERE district_code IS NULL AND problem IS NULL
), placed AS (
    SELECT
        u.* EXCLUDE (district_code),
        (SELECT min(d.code) FROM district AS d
         WHERE ST_Intersects(d.geom, ST_Point(u.lon, u.lat))) AS district_code,
        ST_Intersects((SELECT ST_Union_Agg(geom) FROM district), ST_Point(u.lat, u.lon))
            AS looks_swapped
    FROM uncontained AS u
)
SELECT * EXCLUDE (lon, lat, problem_column, problem, n), sum(n) AS n
FROM placed
GROUP BY ALL
