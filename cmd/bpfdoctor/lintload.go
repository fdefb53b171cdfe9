package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// loadKey marks a lint run's context with --load: the flag lives here, so
// lint.go only registers it and asks for the findings.
type loadKey struct{}

// addLoadFlag registers --load on the lint command and hands its value to
// the run through the command's context.
func addLoadFlag(cmd *cobra.Command) {
	load := cmd.Flags().Bool("load", false, "load every program into the running kernel (no attach) and report what its verifier says; needs CAP_BPF (and CAP_PERFMON or CAP_NET_ADMIN by program type) or CAP_SYS_ADMIN")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *load {
			cmd.SetContext(context.WithValue(cmd.Context(), loadKey{}, true))
		}
		return run(cmd, args)
	}
}

// loadFindings loads each object's programs when the run asked for it:
// one lint.load finding per program. lint holds the object's lint
// findings, whose fixes a refusal that matches a pitfall reuses.
func (o *lintOptions) loadFindings(ctx context.Context, paths []string, objs []*bpfobj.Object, lint []finding.Finding) []finding.Finding {
	if ctx.Value(loadKey{}) == nil {
		return nil
	}
	caps, err := newHost(o.io).EffectiveCaps()
	if err != nil {
		return []finding.Finding{{ID: "lint.load", Area: "lint", Title: "load", Status: finding.Skip,
			Message: fmt.Sprintf("not loaded: %v", err)}}
	}
	l := bpfobj.NewLoader(caps)
	var out []finding.Finding
	for i, p := range paths {
		if ctx.Err() != nil {
			break
		}
		if !objs[i].IsBPF() {
			continue
		}
		rs := l.Load(ctx, p, objs[i])
		if len(rs) == 0 {
			out = append(out, finding.Finding{ID: "lint.load", Area: "lint", Title: "load", Status: finding.Skip, Source: p,
				Message: p + ": no programs to load"})
		}
		for _, r := range rs {
			out = append(out, loadFinding(p, r, lint))
		}
	}
	return out
}

func loadFinding(path string, r bpfobj.LoadResult, lint []finding.Finding) finding.Finding {
	what := path
	if r.Program != "" {
		what = fmt.Sprintf("%s: %s (%s, %s)", path, r.Program, r.Section, r.Type)
	}
	f := finding.Finding{ID: "lint.load", Area: "lint", Title: "load", Source: path}
	switch r.Verdict {
	case bpfobj.Loaded:
		f.Status, f.Message = finding.Pass, what+": loaded"
	case bpfobj.Skipped:
		f.Status, f.Message = finding.Skip, what+": not loaded: "+r.Reason
		if len(r.Missing) > 0 {
			f.Fix = &finding.Fix{Text: "Run `bpfdoctor lint --load` as root, or grant " + strings.Join(r.Missing, " and ") + "."}
		}
	default:
		f.Status, f.Message = finding.Fail, what+": refused: "+r.Reason
		f.Details = r.Log
		if r.Pitfall != "" {
			f.Message += " (pitfall " + string(r.Pitfall) + ")"
			for _, lf := range lint {
				if lf.ID == "lint."+string(r.Pitfall) && lf.Source == path && lf.Fix != nil {
					f.Fix = lf.Fix
					break
				}
			}
		}
	}
	return f
}
