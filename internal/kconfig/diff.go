package kconfig

import (
	"strconv"
	"strings"
)

// State is how a config stands against one wanted option.
type State uint8

// States of a wanted option.
const (
	OK         State = iota
	Off              // the config says "# CONFIG_X is not set"
	Absent           // the config does not have the symbol at all: a dependency is off, or the kernel has no such option
	Module           // =m where the selftests want =y (built in)
	WrongValue       // a number or string differs
	Unwanted         // set, where the fragment says "is not set"
)

var stateNames = [...]string{OK: "ok", Off: "not set", Absent: "absent", Module: "module", WrongValue: "wrong value", Unwanted: "set"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(?)"
}

// Missing reports whether the state is a wanted option the config lacks.
// Unwanted is not: the option is there, the selftests would rather it
// were not, which is worth a warning only.
func (s State) Missing() bool { return s != OK && s != Unwanted }

// Item is one wanted option and what the config has.
type Item struct {
	Want
	Have  Entry // zero when !Found
	Found bool
	State State
}

// Diff is a config against a fragment set.
type Diff struct {
	Config string // where the config was read from
	Set    *FragmentSet
	Items  []Item // every wanted option, in the set's order
}

// Compare judges cfg against every option of set. It only looks up
// each wanted symbol, so it costs a few microseconds for a whole set.
func Compare(cfg *Config, set *FragmentSet) *Diff {
	d := &Diff{Config: cfg.Source, Set: set, Items: make([]Item, 0, len(set.wanted))}
	for _, w := range set.wanted {
		have, found := cfg.Lookup(w.Symbol)
		d.Items = append(d.Items, Item{Want: w, Have: have, Found: found, State: StateOf(w.Entry, have, found)})
	}
	return d
}

// Missing returns the wanted options the config lacks.
func (d *Diff) Missing() []Item { return d.filter(State.Missing) }

// NotOK returns the missing options and the unwanted ones.
func (d *Diff) NotOK() []Item { return d.filter(func(s State) bool { return s != OK }) }

func (d *Diff) filter(keep func(State) bool) []Item {
	var out []Item
	for _, it := range d.Items {
		if keep(it.State) {
			out = append(out, it)
		}
	}
	return out
}

// StateOf compares one wanted line with the config's. =y where =m is
// wanted is fine; =m where =y is wanted is not: the selftests expect the
// feature built in. A wanted "is not set" is met by an absent symbol.
func StateOf(want, have Entry, found bool) State {
	if want.Kind == NotSet {
		if !found || have.Kind == NotSet {
			return OK
		}
		return Unwanted
	}
	switch {
	case !found:
		return Absent
	case have.Kind == NotSet:
		return Off
	}
	switch want.Kind {
	case Tristate:
		switch {
		case have.Kind != Tristate:
			return WrongValue
		case want.Value == "y" && have.Value == "m":
			return Module
		}
		return OK
	case Int, Hex:
		if sameNumber(want, have) {
			return OK
		}
		return WrongValue
	}
	if have.Kind == want.Kind && have.Value == want.Value {
		return OK
	}
	return WrongValue
}

// sameNumber compares numbers by value: 0x1000000 and 0X1000000, 010
// and 10 are the same.
func sameNumber(a, b Entry) bool {
	if a.Kind != Int && a.Kind != Hex || b.Kind != Int && b.Kind != Hex {
		return false
	}
	x, ok1 := number(a)
	y, ok2 := number(b)
	if !ok1 || !ok2 {
		return a.Value == b.Value
	}
	return x == y
}

func number(e Entry) (int64, bool) {
	if e.Kind == Hex {
		u, err := strconv.ParseUint(strings.ToLower(e.Value)[2:], 16, 64)
		return int64(u), err == nil
	}
	n, err := strconv.ParseInt(e.Value, 10, 64)
	return n, err == nil
}
