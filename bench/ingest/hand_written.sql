-- What a person would write by hand in DuckDB for the same result: join, group, redact.
-- $path: the feed; districts in table district(code, geom) in EPSG:4326.
WITH counts AS (
    SELECT d.code AS district_code, strftime(p.reported_at, '%Y-%m') AS period,
           p.category, count(*) AS n
    FROM read_csv($path, header = true, columns = {
             'lon': 'DOUBLE', 'lat': 'DOUBLE', 'reported_at': 'TIMESTAMP', 'category': 'VARCHAR'})
         AS p
    JOIN district AS d ON ST_Contains(d.geom, ST_Point(p.lon, p.lat))
    GROUP BY ALL
)
SELECT * FROM counts
QUALIFY min(n) OVER (PARTITION BY district_code, period) > $min_count
