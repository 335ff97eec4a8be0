package insights

import "testing"

func TestAlertEvaluation(t *testing.T) {
	ev := EvaluateAlerts(DefaultEvalConfig(), 1)
	t.Log("\n" + ev.Markdown())
}
