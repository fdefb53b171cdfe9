package kconfig

// Kind is the kind of a value, judged by its spelling in the file.
type Kind int

// Kinds of values.
const (
	Tristate Kind = iota // y, m
	NotSet               // "# CONFIG_X is not set" or "=n"
	Int
	Hex
	String
)

// String returns the kind's name, for messages and test failures.
func (k Kind) String() string {
	switch k {
	case Tristate:
		return "tristate"
	case NotSet:
		return "not set"
	case Int:
		return "int"
	case Hex:
		return "hex"
	case String:
		return "string"
	}
	return "Kind(?)"
}
