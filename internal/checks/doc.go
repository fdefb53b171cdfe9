// Package checks is bpfdoctor's doctor: the registry of checks (one file
// per area registers its own), the Env a run's checks share (the host, the
// options, and each fact several checks need, probed once), and the runner
// that runs the checks concurrently, each under a deadline and recovered
// from panics. What a check returns is a finding.Finding.
package checks
