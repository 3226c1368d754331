#!/usr/bin/env bash
# The PBS-vs-Lua benchmark suite (issue 6): runs each program of bench/pbs/ headless
# with `prometeu run` and its twin of bench/lua/ with `lua5.4`, RUNS times each, and
# prints the median wall time of each side and their ratio (PBS / Lua; below 1 means
# PBS is faster). Every run must print the program's known checksum: a PBS program
# logs it as `FRAME INFO done <checksum>` (toolchain.md §5), a Lua one prints
# `done <checksum>`.
#
# Usage: bench/run.sh [-n RUNS] [--lua-only] [--strict] [PROGRAM...]
#   -n RUNS     runs per program and language (default 3; the median is reported)
#   --lua-only  skip the PBS side even when `prometeu run` exists
#   --strict    also fail when a program is slower in PBS than in Lua (the target)
#   PROGRAM     a subset of: fib sieve nbody strings structs lists (default: all)
# Environment:
#   PROMETEU=/path/to/prometeu  use this binary instead of building the CLI in release
#   BENCH_TIMEOUT=SECONDS       limit for one run (default 600)
#
# Exit status: 0 when every run printed the expected checksum (and, with --strict, no
# ratio is above 1); 1 when a checksum differs, a run fails or times out, or a ratio is
# above 1 under --strict; 2 on a usage error or when lua5.4 cannot be installed.
#
# Besides wall time, the table shows CPU time (user + system, from the shell's `times`):
# on a machine shared with other work it moves much less than wall time.
#
# The whole work of a PBS program happens in its first `frame()` call. It spans many
# ticks of the 2,000,000-cycle budget, but that is still one logical frame
# (machine.md §1), so `--frames 1` runs it to the end. The PBS time includes compiling
# the .pbs file, which takes milliseconds.

set -euo pipefail
# A fixed locale: `$EPOCHREALTIME` and awk must agree on the decimal point.
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
ALL_PROGRAMS=(fib sieve nbody strings structs lists)
TIMEOUT=${BENCH_TIMEOUT:-600}

# The checksum each program must print, in both languages (bench/README.md explains them).
declare -A EXPECTED=(
    [fib]="2178309"
    [sieve]="148933"
    [nbody]="-169075163 -169086184"
    [strings]="29834896 4"
    [structs]="2398478 13099"
    [lists]="9180392 12750000"
)

usage() {
    sed -n '9,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

RUNS=3
LUA_ONLY=0
STRICT=0
PROGRAMS=()
while (($#)); do
    case "$1" in
        -n)
            (($# >= 2)) || usage
            RUNS=$2
            shift 2
            ;;
        --lua-only) LUA_ONLY=1; shift ;;
        --strict) STRICT=1; shift ;;
        -h | --help) usage ;;
        -*) echo "unknown option: $1" >&2; usage ;;
        *)
            [[ -n "${EXPECTED[$1]+set}" ]] || { echo "unknown program: $1" >&2; usage; }
            PROGRAMS+=("$1")
            shift
            ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "-n needs a positive number, got '$RUNS'" >&2; exit 2; }
((${#PROGRAMS[@]})) || PROGRAMS=("${ALL_PROGRAMS[@]}")

# --- tools -----------------------------------------------------------------------------

ensure_lua() {
    command -v lua5.4 >/dev/null && return 0
    echo "lua5.4 not found; installing it with apt-get" >&2
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    if ! "${sudo[@]}" apt-get install -y lua5.4 >&2; then
        "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y lua5.4 >&2
    fi
    command -v lua5.4 >/dev/null || { echo "cannot install lua5.4" >&2; exit 2; }
}

# Sets PROMETEU to the release CLI, building it unless the caller named a binary.
ensure_cli() {
    if [[ -n "${PROMETEU:-}" ]]; then
        return 0
    fi
    echo "building the prometeu CLI (release)" >&2
    cargo build --release -q -p prometeu --manifest-path "$ROOT/Cargo.toml" >&2
    PROMETEU="${CARGO_TARGET_DIR:-$ROOT/target}/release/prometeu"
}

# True when the CLI can run a program headless.
pbs_runnable() {
    local help
    [[ -x "$PROMETEU" ]] || return 1
    # Captured first: `grep -q` stopping early would fail the pipe under pipefail.
    help=$("$PROMETEU" run --help 2>/dev/null) || return 1
    grep -q -- '--headless' <<<"$help"
}

# --- one run ---------------------------------------------------------------------------

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

# The checksum of a `done <checksum>` line of the log on stdin. PBS lines are
# `FRAME LEVEL MESSAGE`; Lua lines are the bare message. Prints nothing unless exactly
# one such line is present.
checksum_of() {
    local side=$1
    local pattern
    if [[ "$side" == pbs ]]; then
        pattern='^[0-9]+ (INFO|WARN) done '
    else
        pattern='^done '
    fi
    local lines
    lines=$(grep -E "$pattern" || true)
    [[ -n "$lines" && $(wc -l <<<"$lines") -eq 1 ]] || return 0
    sed -E "s/$pattern//" <<<"$lines"
}

# The CPU seconds (user + system) this shell's finished children have used so far.
# `times` must run in this shell itself (a `$(...)` subshell has no children yet), so
# its output goes through a file.
children_cpu() {
    times >"$SCRATCH/times"
    awk 'NR == 2 { n = split($0, f, " "); total = 0
           for (i = 1; i <= n; i++) { split(f[i], ms, "m"); sub("s", "", ms[2]); total += ms[1] * 60 + ms[2] }
           printf "%.3f", total }' "$SCRATCH/times"
}

# Runs one program once on one side; sets RUN_SECONDS, RUN_CPU and RUN_CHECKSUM, or
# returns 1 with a reason in RUN_ERROR.
run_once() {
    local side=$1 program=$2
    local cmd
    if [[ "$side" == pbs ]]; then
        cmd=("$PROMETEU" run --headless --frames 1 "$BENCH/pbs/$program.pbs")
    else
        cmd=(lua5.4 "$BENCH/lua/$program.lua")
    fi
    local start end cpu_start cpu_end status=0
    children_cpu >"$SCRATCH/cpu_start"
    start=$EPOCHREALTIME
    timeout "$TIMEOUT" "${cmd[@]}" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
    end=$EPOCHREALTIME
    children_cpu >"$SCRATCH/cpu_end"
    cpu_start=$(<"$SCRATCH/cpu_start")
    cpu_end=$(<"$SCRATCH/cpu_end")
    RUN_SECONDS=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    RUN_CPU=$(awk -v s="$cpu_start" -v e="$cpu_end" 'BEGIN { printf "%.3f", e - s }')
    if ((status == 124)); then
        RUN_ERROR="timed out after ${TIMEOUT}s"
        return 1
    elif ((status != 0)); then
        RUN_ERROR="exit status $status: $(tail -n 3 "$SCRATCH/err" | tr '\n' ' ')"
        return 1
    fi
    RUN_CHECKSUM=$(checksum_of "$side" <"$SCRATCH/out")
    if [[ -z "$RUN_CHECKSUM" ]]; then
        RUN_ERROR="no single 'done <checksum>' line in its output"
        return 1
    fi
}

# The median of the numbers given as arguments.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2];
              else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Runs one side of one program RUNS times; prints its median wall and CPU times, or
# `- -` (with the reason on stderr) when a run failed or printed a wrong checksum. It
# runs in a subshell, so the caller turns a `-` into the failure status.
measure() {
    local side=$1 program=$2
    local times=() cpus=() i
    for ((i = 1; i <= RUNS; i++)); do
        if ! run_once "$side" "$program"; then
            echo "$program ($side): $RUN_ERROR" >&2
            echo "- -"
            return
        fi
        if [[ "$RUN_CHECKSUM" != "${EXPECTED[$program]}" ]]; then
            echo "$program ($side): printed 'done $RUN_CHECKSUM', expected 'done ${EXPECTED[$program]}'" >&2
            echo "- -"
            return
        fi
        times+=("$RUN_SECONDS")
        cpus+=("$RUN_CPU")
    done
    echo "$(median "${times[@]}") $(median "${cpus[@]}")"
}

# `p / l` with two decimals, or `-` unless both are numbers.
ratio_of() {
    if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then
        awk -v p="$1" -v l="$2" 'BEGIN { printf "%.2f", (l > 0 ? p / l : 0) }'
    else
        echo "-"
    fi
}

# --- the suite -------------------------------------------------------------------------

ensure_lua
PBS=1
if ((LUA_ONLY)); then
    PBS=0
    echo "PBS side skipped: --lua-only" >&2
else
    ensure_cli
    if ! pbs_runnable; then
        PBS=0
        echo "PBS side skipped: \`prometeu run\` not available yet ($PROMETEU has no \`run --headless\`)" >&2
    fi
fi

echo "$(lua5.4 -v 2>&1 | head -n 1); median of $RUNS runs; seconds"
printf '%-8s %9s %9s %7s   %9s %9s %7s\n' program "pbs wall" "lua wall" ratio "pbs cpu" "lua cpu" ratio
FAILED=0
SLOWER=()
for program in "${PROGRAMS[@]}"; do
    pbs_time="skipped skipped"
    ((PBS)) && pbs_time=$(measure pbs "$program")
    lua_time=$(measure lua "$program")
    read -r pbs_wall pbs_cpu <<<"$pbs_time"
    read -r lua_wall lua_cpu <<<"$lua_time"
    [[ "$pbs_wall" == "-" || "$lua_wall" == "-" ]] && FAILED=1
    ratio=$(ratio_of "$pbs_wall" "$lua_wall")
    cpu_ratio=$(ratio_of "$pbs_cpu" "$lua_cpu")
    if [[ "$ratio" != "-" ]]; then
        awk -v r="$ratio" 'BEGIN { exit !(r > 1) }' && SLOWER+=("$program")
    fi
    printf '%-8s %9s %9s %7s   %9s %9s %7s\n' "$program" "$pbs_wall" "$lua_wall" "$ratio" \
        "$pbs_cpu" "$lua_cpu" "$cpu_ratio"
done

if ((${#SLOWER[@]})); then
    echo "slower than Lua 5.4: ${SLOWER[*]}" >&2
    ((STRICT)) && FAILED=1
fi
exit "$FAILED"
