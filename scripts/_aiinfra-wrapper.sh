# shellcheck shell=sh
# Shared by the scripts/*.sh wrappers (sourced, not run): find aiinfra, answer --help, add the
# CI defaults a wrapper asks for, and hand over to the CLI with the caller's arguments intact.

# The aiinfra executable: $AIINFRA_BIN when set, else the one on PATH; exit 127 without one.
wrapper_find() {
    if [ -n "${AIINFRA_BIN:-}" ]; then
        if [ -x "$AIINFRA_BIN" ]; then
            printf '%s\n' "$AIINFRA_BIN"
            return 0
        fi
        printf '%s: AIINFRA_BIN=%s is not an executable file\n' "$WRAPPER_NAME" "$AIINFRA_BIN" >&2
        exit 127
    fi
    if command -v aiinfra >/dev/null 2>&1; then
        command -v aiinfra
        return 0
    fi
    printf "%s: 'aiinfra' is not on PATH: install it (pip install aiinfra, or pipx install aiinfra) or set AIINFRA_BIN to its path\n" "$WRAPPER_NAME" >&2
    exit 127
}

# With -h or --help first: the wrapper's usage, then the options of the command it wraps.
wrapper_help() {
    usage=$1
    command=$2
    shift 2
    case "${1:-}" in
        -h | --help)
            printf '%s\n\n' "$usage"
            bin=$(wrapper_find)
            printf "Options of 'aiinfra %s' (all passed through):\n" "$command"
            exec "$bin" "$command" --help
            ;;
    esac
}

# Whether an option (NAME or NAME=VALUE) is among the arguments after the first.
wrapper_has() {
    option=$1
    shift
    for argument in "$@"; do
        case "$argument" in
            "$option" | "$option"=*) return 0 ;;
        esac
    done
    return 1
}

# Whether CI defaults apply: in CI ($CI set, as every major CI service sets it) unless turned off.
wrapper_in_ci() {
    [ -n "${CI:-}" ] && [ "${AIINFRA_SCRIPT_DEFAULTS:-1}" != 0 ]
}

wrapper_exec() {
    command=$1
    shift
    bin=$(wrapper_find)
    exec "$bin" "$command" "$@"
}
