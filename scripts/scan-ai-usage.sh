#!/bin/sh
# Find every LLM API call in the code and price what it wastes: aiinfra optimize-context.
set -eu
WRAPPER_NAME=scan-ai-usage.sh
USAGE="Usage: scripts/scan-ai-usage.sh [PATH...] [OPTIONS]

Runs 'aiinfra optimize-context' over PATH (default: the current directory) with every
argument passed through unchanged.

In GitHub Actions (CI=true, GITHUB_ACTIONS=true) without --format, --json or --output, it adds
'--format github', so each finding becomes an annotation on the pull request.
Set AIINFRA_SCRIPT_DEFAULTS=0 to add nothing; set AIINFRA_BIN to use a given aiinfra.

Exit code: that of aiinfra optimize-context (0: no findings; 1: findings; 2: bad usage);
127 when aiinfra cannot be found."
# shellcheck source-path=SCRIPTDIR source=_aiinfra-wrapper.sh
. "$(dirname -- "$0")/_aiinfra-wrapper.sh"

wrapper_help "$USAGE" optimize-context "$@"
if wrapper_in_ci && [ "${GITHUB_ACTIONS:-}" = true ] &&
    ! wrapper_has --format "$@" && ! wrapper_has --json "$@" && ! wrapper_has --output "$@"; then
    set -- "$@" --format github
fi
wrapper_exec optimize-context "$@"
