package kconfig

import "testing"

func TestSummaryLimit(t *testing.T) {
	c := Cause{Kind: CauseNotSet, Text: "not set"}
	for _, s := range []string{"A", "B", "C", "D"} {
		c.Items = append(c.Items, Item{Want: Want{Entry: Entry{Symbol: s, Kind: Tristate, Value: "y"}}})
	}
	if got := c.Summary(2); got != "not set: A, B and 2 more" {
		t.Errorf("Summary(2) = %q", got)
	}
	if got := c.List(0); got != "A, B, C, D" {
		t.Errorf("List(0) = %q", got)
	}
}
