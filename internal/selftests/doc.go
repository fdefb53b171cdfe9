// Package selftests reads what a kernel tree's BPF selftests ask of the
// machine from the tree itself — its selftests Makefile, Makefile.docs,
// vmtest.sh, scripts/bpf_doc.py and the programs under progs/ — so that
// each tree is judged by its own rules, not by a table of what some
// version needed; and it reads the log of building them (Causes), so the
// doctor's predictions can be checked against what make really hit. It
// runs nothing: the checks package probes the machine with what it reads.
package selftests
