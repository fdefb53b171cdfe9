#!/usr/bin/env bash
# Regenerates what is written from the binary's own lists: the man pages in
# docs/man (from the cobra commands) and the README's sections between
# <!-- BEGIN GENERATED: name --> and <!-- END GENERATED --> (flags, checks,
# --require names, JSON fields). TestManPagesUpToDate and TestReadmeUpToDate
# fail when they are out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./cmd/bpfdoctor -run '^Test(ManPages|Readme)UpToDate$' -count=1 -update-docs
ls docs/man
