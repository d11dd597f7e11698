-- Per site, period, metric and group: the sum and number of the daily rows. Rows failing a
-- check are only counted, per problem, so that they cannot blow up the number of groups.
-- The dimensions placeholder becomes the columns dim_0, dim_1… each with a comma, or nothing.
SELECT
    CASE WHEN problem IS NULL THEN site END AS site,
    CASE WHEN problem IS NULL THEN lon END AS lon,
    CASE WHEN problem IS NULL THEN lat END AS lat,
    CASE WHEN problem IS NULL THEN strftime(time, $period_format) END AS period,
    CASE WHEN problem IS NULL THEN metric END AS metric,
    {dimensions}
    problem_column,
    problem,
    sum(count) AS value,
    count(*) AS rows
FROM checked_feed
GROUP BY ALL
