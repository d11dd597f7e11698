-- The floor under any DuckDB path: read and type the file, count per month and category, no
-- districts at all. $path: the feed.
SELECT strftime(reported_at, '%Y-%m') AS period, category, count(*) AS n
FROM read_csv($path, header = true, columns = {
         'lon': 'DOUBLE', 'lat': 'DOUBLE', 'reported_at': 'TIMESTAMP', 'category': 'VARCHAR'})
GROUP BY ALL
