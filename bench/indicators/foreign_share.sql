-- The peer: the share of foreign citizens per district and period and for the city per period,
-- written by hand as one GROUP BY with FILTER clauses over the observation table. Same rule as
-- the engine: rows without a citizenship key do not count, and a value whose foreign count or
-- national count is at most the disclosure threshold is suppressed.
WITH rows AS (
    SELECT period, district_code, value,
           json_extract_string(dims, '$.citizenship') AS citizenship
    FROM observation
    WHERE city = $city AND variable = 'population'
), sums AS (
    SELECT period, district_code,
           sum(value) FILTER (WHERE citizenship <> 'national') AS foreign_count,
           sum(value) FILTER (WHERE citizenship IS NOT NULL) AS residents
    FROM rows
    GROUP BY GROUPING SETS ((period, district_code), (period))
)
SELECT period, district_code,
       CASE WHEN suppressed THEN NULL ELSE foreign_count / nullif(residents, 0) END AS value,
       suppressed
FROM (SELECT *, coalesce(foreign_count <= $min_count
                         OR residents - foreign_count <= $min_count, false) AS suppressed
      FROM sums)
