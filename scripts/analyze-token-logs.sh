#!/bin/sh
# Report LLM cost and tokens from the usage logs: aiinfra cost-report.
set -eu
WRAPPER_NAME=analyze-token-logs.sh
USAGE="Usage: scripts/analyze-token-logs.sh [OPTIONS]

Runs 'aiinfra cost-report' (totals and breakdowns by model, feature and day from the
usage logs, written to .multiagent/reports/) with every argument passed through
unchanged, e.g. --timeframe 7d or --logs 'logs/**/*.jsonl'.

In GitHub Actions (CI=true, GITHUB_ACTIONS=true) with GITHUB_STEP_SUMMARY set and without
--github-summary or --json, it adds '--github-summary', so the report shows on the run's
summary page.
Set AIINFRA_SCRIPT_DEFAULTS=0 to add nothing; set AIINFRA_BIN to use a given aiinfra.

Exit code: that of aiinfra cost-report (0: report made; 1: --fail-on-budget and a
budget spent, or no usable config; 2: bad usage); 127 when aiinfra cannot be found."
# shellcheck source-path=SCRIPTDIR source=_aiinfra-wrapper.sh
. "$(dirname -- "$0")/_aiinfra-wrapper.sh"

wrapper_help "$USAGE" cost-report "$@"
if wrapper_in_ci && [ "${GITHUB_ACTIONS:-}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] &&
    ! wrapper_has --github-summary "$@" && ! wrapper_has --json "$@"; then
    set -- "$@" --github-summary
fi
wrapper_exec cost-report "$@"
