-- tipg serves one table or view per collection, so the indicator layer it serves is this view:
-- the current districts joined with the latest period of one indicator, suppressed values
-- blanked as the observatory shows them to the public. Same columns as the observatory's
-- /collections/bench.indicator.foreign_citizens_share/items (city and indicator are the
-- benchmark's: bench.api.case.CITY and INDICATOR).
CREATE OR REPLACE VIEW indicator_foreign_citizens_share AS
SELECT d.code, d.name_en, d.name_ar, d.area_m2, v.indicator_id, v.period,
       CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
       CASE WHEN v.suppressed THEN NULL ELSE v.score END AS score,
       v.coverage, v.suppressed, d.geom
FROM district d
LEFT JOIN indicator_value v
  ON v.city = d.city AND v.district_code = d.code
 AND v.indicator_id = 'foreign_citizens_share'
 -- Uncorrelated, so computed once per query (through indicator_value_lookup).
 AND v.period = (SELECT max(period) FROM indicator_value
                 WHERE city = 'bench' AND indicator_id = 'foreign_citizens_share')
WHERE d.city = 'bench' AND d.valid_to IS NULL;
