// Command bpfdoctor checks a machine for Linux BPF development and says what
// to do about each gap.
package main

import "os"

func main() { os.Exit(Main()) }
