package kconfig

import (
	"fmt"
	"strings"
)

// List names the options of the group, at most max (all when max <= 0),
// values shown for CauseValue.
func (c Cause) List(max int) string {
	var names []string
	for _, it := range c.Items {
		if c.Kind == CauseValue {
			names = append(names, fmt.Sprintf("%s (want %s)", it.Have.String(), it.Entry.ValueText()))
		} else {
			names = append(names, it.Symbol)
		}
	}
	return ListNames(names, max)
}

// Summary is the cause on one line, listing at most max options (all
// when max <= 0): "CONFIG_MODULES is not set — hides MODULE_SIG,
// MODULE_UNLOAD".
func (c Cause) Summary(max int) string {
	var names []string
	for _, it := range c.Items {
		if it.Symbol == c.Root && c.Kind == CauseParent {
			continue
		}
		switch c.Kind {
		case CauseValue:
			names = append(names, fmt.Sprintf("%s (want %s)", it.Have.String(), it.Entry.ValueText()))
		default:
			names = append(names, it.Symbol)
		}
	}
	list := ListNames(names, max)
	switch c.Kind {
	case CauseParent:
		if len(names) == 0 {
			return c.Text
		}
		if c.Guess {
			return c.Text + " — probably hides " + list + " (judged by name)"
		}
		return c.Text + " — hides " + list
	case CauseRefused:
		return c.Text + " — so the kernel refuses " + list
	}
	return c.Text + ": " + list
}

// ValueText is the entry's value as a report states it: "y", "64",
// "not set".
func (e Entry) ValueText() string {
	if e.Kind == NotSet {
		return "not set"
	}
	return strings.TrimPrefix(e.String(), Prefix+e.Symbol+"=")
}

// ListNames joins names with commas, at most max of them (all when
// max <= 0) and a count of the rest.
func ListNames(names []string, max int) string {
	if max > 0 && len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	return strings.Join(names, ", ")
}

// DescribeHave states what the config has for a wanted option:
// "CONFIG_MODULES is not set", "CONFIG_NR_CPUS=64".
func DescribeHave(it Item) string {
	switch {
	case !it.Found:
		return Prefix + it.Symbol + " is absent"
	case it.Have.Kind == NotSet:
		return Prefix + it.Symbol + " is not set"
	}
	return it.Have.String()
}
