-- Metrics of tests that are not valid.
--
-- From legwork-assess/2 on, a test that was not done as its protocol asks
-- (its result says "valid": false, with the reasons) gives no metrics, so
-- that it cannot feed a trend, an alert or a report. Earlier versions kept
-- the values such a test could still measure (the distance of a 2-minute
-- walk stopped after 30 s, say). This removes those metric rows; the
-- result, with everything that was measured, stays for the person to see.
-- The quick byte search finds the candidates; the JSON test keeps only
-- results whose own top-level "valid" is false.

-- +goose Up
DELETE FROM assessment_metrics WHERE assessment_id IN (
	SELECT id FROM assessments
	WHERE result IS NOT NULL
	  AND instr(result, CAST('"valid":false' AS BLOB)) > 0
	  AND json_valid(CAST(result AS TEXT))
	  AND json_type(CAST(result AS TEXT), '$.valid') = 'false');

-- +goose Down
-- Nothing to restore: the removed values were never valid results.
SELECT 1;
