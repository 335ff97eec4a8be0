-- Metrics of tests that are not valid.
--
-- From legwork-assess/2 on, a test that was not done as its protocol asks
-- (its result says "valid": false, with the reasons) gives no metrics, so
-- that it cannot feed a trend, an alert or a report. Earlier versions kept
-- the values such a test could still measure (the distance of a 2-minute
-- walk stopped after 30 s, say). This removes those metric rows; the
-- result, with everything that was measured, stays for the person to see.
-- The quick byte search finds the candidates; the JSON test, which skips a
-- result that is not JSON, keeps only results whose own top-level "valid"
-- is false.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT id, result FROM assessments
	         WHERE result IS NOT NULL AND position('"valid":false'::bytea IN result) > 0 LOOP
		BEGIN
			IF convert_from(r.result, 'UTF8')::jsonb ->> 'valid' = 'false' THEN
				DELETE FROM assessment_metrics WHERE assessment_id = r.id;
			END IF;
		EXCEPTION WHEN others THEN
			NULL; -- not JSON: not a test result
		END;
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Nothing to restore: the removed values were never valid results.
SELECT 1;
