// Command selftests-causes checks the doctor's selftests findings against a
// real build: it reads the log of `make -k` of a tree's BPF selftests into
// its distinct root causes and fails unless each is named by its finding
// with status warn or fail.
//
//	go run ./scripts/selftests-causes -log LOG -findings FINDINGS.json
//
// FINDINGS.json is `bpfdoctor check --kernel-src TREE --only selftests
// --format json`. Exit 0: every cause named; 1: a cause unclassified or
// not named; 2: bad usage or unreadable input. Findings that warn or fail
// for a cause the build did not hit are listed, not failed: the build may
// not reach a part (a run-time need) or the doctor may be cautious.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/selftests"
)

// maxFindings bounds the JSON read: a check's output is a few KB.
const maxFindings = 16 << 20

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// docFinding is what is read of a finding. Status stays a word so a status
// this tree's finding package does not know yet still reads.
type docFinding struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("selftests-causes", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	logPath := fs.String("log", "", "the make -k log")
	findingsPath := fs.String("findings", "", "bpfdoctor check --format json output")
	if err := fs.Parse(args); err != nil || *logPath == "" || *findingsPath == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: selftests-causes -log LOG -findings FINDINGS.json")
		return 2
	}
	causes, err := readCauses(*logPath)
	if err != nil {
		fmt.Fprintf(stderr, "selftests-causes: %v\n", err)
		return 2
	}
	findings, err := readFindings(*findingsPath)
	if err != nil {
		fmt.Fprintf(stderr, "selftests-causes: %v\n", err)
		return 2
	}
	if report(stdout, causes, findings) {
		return 0
	}
	return 1
}

func readCauses(name string) ([]selftests.Cause, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read make log: %w", err)
	}
	defer f.Close()
	return selftests.Causes(f)
}

func readFindings(name string) (map[string]docFinding, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	defer f.Close()
	var doc struct {
		Findings []docFinding `json:"findings"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxFindings)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("read findings %s: %w", name, err)
	}
	byID := make(map[string]docFinding, len(doc.Findings))
	for _, fd := range doc.Findings {
		byID[fd.ID] = fd
	}
	return byID, nil
}

// names says whether a finding with this status named a problem: warn or
// fail. pass, info and skip did not; error means the check could not say.
func names(status string) bool { return status == "warn" || status == "fail" }

// report prints the table of causes and what failed; true when every
// cause was named.
func report(w io.Writer, causes []selftests.Cause, findings map[string]docFinding) bool {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CAUSE\tCOUNT\tFINDING\tSTATUS\tBROKE\tEXAMPLE")
	var problems []string
	hit := map[string]bool{}
	for _, c := range causes {
		id, status := c.Finding, "-"
		switch fd, ok := findings[c.Finding]; {
		case c.Key == selftests.Unclassified:
			id = "-"
			problems = append(problems, fmt.Sprintf("%s: no rule knows it, so no finding can be shown to name it: %s", c.Key, c.Example))
		case !ok:
			status = "missing"
			problems = append(problems, fmt.Sprintf("%s: finding %s is not in the findings", c.Key, c.Finding))
		default:
			status = fd.Status
			hit[c.Finding] = true
			if !names(fd.Status) {
				problems = append(problems, fmt.Sprintf("%s: finding %s says %s: %s", c.Key, c.Finding, fd.Status, clip.String(clip.Printable(fd.Message), 120)))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Key, strconv.Itoa(c.Count), id, status, broke(c.Targets), c.Example)
	}
	if len(causes) == 0 {
		fmt.Fprintln(tw, "(none: the build hit no error)\t\t\t\t\t")
	}
	tw.Flush()

	var unhit []string
	for id, fd := range findings {
		if names(fd.Status) && !hit[id] {
			unhit = append(unhit, fmt.Sprintf("  %s %s: %s", id, fd.Status, clip.String(clip.Printable(fd.Message), 120)))
		}
	}
	if len(unhit) > 0 {
		slices.Sort(unhit)
		fmt.Fprintln(w, "\nthe doctor warned, the build did not hit it:")
		for _, u := range unhit {
			fmt.Fprintln(w, u)
		}
	}
	fmt.Fprintln(w)
	for _, p := range problems {
		fmt.Fprintln(w, "FAIL "+p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "selftests-causes: %d of %d causes not named by a warn or fail finding\n", len(problems), len(causes))
		return false
	}
	fmt.Fprintf(w, "selftests-causes: all %d causes named\n", len(causes))
	return true
}

// broke is the first two targets a cause broke, "..." when there were more.
func broke(targets []string) string {
	switch {
	case len(targets) == 0:
		return "-"
	case len(targets) > 2:
		return strings.Join(targets[:2], ",") + ",..."
	}
	return strings.Join(targets, ",")
}
