-- The peer: counts of a fine level summed to a coarser one, written by hand as one GROUP BY on
-- the code prefix over the observation table. Berlin's codes encode the nesting (a planning
-- area 01100101 lies in forecast area 0110, in district 01), so the parent is the first
-- $prefix characters. Only periods on the current scheme ($since onwards): the planning areas
-- of 2020 carry codes of the old scheme, whose prefixes are not today's forecast areas. Same
-- rule as the observatory: a parent with a missing child count has no sum. (Berlin's t1 tables
-- hold counts only, so no filter on the unit is needed.)
SELECT substr(district_code, 1, $prefix) AS district_code, period, variable, dims,
       CASE WHEN count(value) = count(*) THEN sum(value) END AS value
FROM observation
WHERE city = $city AND level = $from_level AND period >= $since
GROUP BY ALL
