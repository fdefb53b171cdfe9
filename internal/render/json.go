package render

import (
	"encoding/json"
	"io"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// SchemaVersion is bumped only when a field changes meaning or goes away;
// new fields may appear within a version.
const SchemaVersion = 1

type jsonReport struct {
	SchemaVersion int            `json:"schema_version"`
	Tool          jsonTool       `json:"tool"`
	Host          jsonHost       `json:"host"`
	Summary       map[string]int `json:"summary"`
	Findings      []jsonFinding  `json:"findings"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonHost struct {
	OS     string `json:"os,omitempty"`
	Kernel string `json:"kernel,omitempty"`
}

type jsonFinding struct {
	finding.Finding
	DurationMS float64 `json:"duration_ms"`
}

// JSON writes the report as one JSON document (schema_version 1).
func JSON(w io.Writer, r Report) error {
	out := jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          jsonTool{Name: "bpfdoctor", Version: r.Version},
		Host:          jsonHost{OS: r.OS, Kernel: r.Kernel},
		Summary:       map[string]int{},
		Findings:      []jsonFinding{},
	}
	for _, s := range []finding.Status{finding.Pass, finding.Warn, finding.Fail, finding.Error, finding.Skip} {
		out.Summary[s.String()] = 0
	}
	for s, n := range Counts(r.Findings) {
		out.Summary[s.String()] = n
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{Finding: f, DurationMS: float64(f.Duration.Microseconds()) / 1000})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // ">= 1.21" reads better than "\u003e= 1.21"
	return enc.Encode(out)
}
