#!/usr/bin/env bash
# Regenerates the man pages in docs/man from the cobra commands. The test
# TestManPagesUpToDate fails when they are out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./cmd/bpfdoctor -run '^TestManPagesUpToDate$' -count=1 -update-docs
ls docs/man
