#!/usr/bin/env bash
# The plugin ABI crossings' share of the daemon's CPU, measured in the daemon itself: a backlog of
# N generated articles with the full bundled chain, sampled by `perf record` (user and kernel, all
# threads, DWARF call stacks), each sample classed by its stack.
#
#   bench/crossing-share.sh [N]        # N articles (default 10000); needs perf and python3
#
# Classes: "plugin work" is under a plugin's `Plugin::process`; "crossing" is the rest of the SDK
# glue around it (reading the input, the copy of the fields a plugin writes, writing the patch,
# the sink) and the host's encoding of the input and reading and checking of the patch; "other"
# is everything else (watcher, claims, reads, hashing, outbox, fsyncs, the kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
TARGET=${CARGO_TARGET_DIR:-target}/profile-lines
CARGO_TARGET_DIR=$TARGET CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --workspace --quiet
BIN=$(cd "$TARGET/release" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sed "s#path = \"target/release/#path = \"$BIN/#" config/ingestd.toml >"$WORK/cfg.toml"

# Attach to the daemon the bench starts, and stop when it exits.
(
  for _ in $(seq 1 1200); do
    pid=$(pgrep -n -f "ingestd --config $WORK/run/" || true)
    [ -n "$pid" ] && break
    sleep 0.05
  done
  perf record --call-graph dwarf,16384 -F 499 -p "$pid" -o "$WORK/perf.data" 2>/dev/null &
  rec=$!
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  kill -INT "$rec"
  wait "$rec" || true
) &
"$BIN/ingestd-bench" --ingestd "$BIN/ingestd" --config "$WORK/cfg.toml" --work "$WORK/run" \
  backlog --n "$N" --workers 2 --no-baseline | grep "full chain"
wait
perf script -i "$WORK/perf.data" -F comm,tid,ip,sym 2>/dev/null >"$WORK/stacks.txt"
python3 - "$WORK/stacks.txt" <<'EOF'
import collections, sys

HOST = ("encode_input", "apply_patch", "accept_patch", "accept_document", "FieldCache::encode")
counts = collections.Counter()
for sample in open(sys.argv[1]).read().split("\n\n"):
    lines = [line.strip() for line in sample.strip().split("\n")]
    if not lines or not lines[0]:
        continue
    stack = " | ".join(line.split(" ", 1)[-1] for line in lines[1:])
    if "as ingestd_sdk::plugin::Plugin>::process" in stack:
        counts["plugin work"] += 1
    elif "ingestd_sdk::export::process" in stack or any(f in stack for f in HOST):
        counts["crossing"] += 1
    else:
        counts["other"] += 1
total = sum(counts.values())
for name in ("plugin work", "crossing", "other"):
    print(f"{name}: {100 * counts[name] / max(total, 1):.1f} % of {total} samples")
EOF
