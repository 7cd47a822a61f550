#!/bin/sh
# Probe every configured provider and model: aiinfra model-health.
set -eu
WRAPPER_NAME=test-provider-health.sh
USAGE="Usage: scripts/test-provider-health.sh [OPTIONS]

Runs 'aiinfra model-health' (reachability, auth, model availability, latency and
rate-limit headroom of every model in config/ai-models.yaml) with every argument
passed through unchanged.

In CI (CI set) without --history or --no-history, it adds '--no-history': a CI
workspace is thrown away, so a history file there only dirties the checkout.
Set AIINFRA_SCRIPT_DEFAULTS=0 to add nothing; set AIINFRA_BIN to use a given aiinfra.

Exit code: that of aiinfra model-health (0: every model healthy; 1: any degraded or
unhealthy, or no usable config; 2: bad usage); 127 when aiinfra cannot be found."
# shellcheck source-path=SCRIPTDIR source=_aiinfra-wrapper.sh
. "$(dirname -- "$0")/_aiinfra-wrapper.sh"

wrapper_help "$USAGE" model-health "$@"
if wrapper_in_ci && ! wrapper_has --history "$@" && ! wrapper_has --no-history "$@"; then
    set -- "$@" --no-history
fi
wrapper_exec model-health "$@"
