#!/usr/bin/env bash
# Bytes the TUI writes to its terminal, measured with `tmux pipe-pane` at 120x40
# (docs/PERFORMANCE.md, "Terminal output"). Local only: a fresh data dir under
# /tmp, random loopback ports, everything stopped at the end.
#
#   scripts/tui-bandwidth.sh idle  SECONDS            # nothing arriving
#   scripts/tui-bandwidth.sh live  SECONDS RATE       # the list while `demo --rate RATE` sends
#   scripts/tui-bandwidth.sh tree                     # a 10,001-span trace: 20 moves, 40 scrolls, 5 pages
set -euo pipefail
BIN=${BIN:-target/debug/spanlens}
MODE=$1
DIR=$(mktemp -d /tmp/spanlens-bw.XXXXXX)
P1=$((20000 + RANDOM % 20000)); P2=$((P1 + 1))
S=bw$$
spans() { "$BIN" stats --data-dir "$DIR/data" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spans"])'; }
start() {
  tmux new -d -s $S -x 120 -y 40 "$BIN --data-dir $DIR/data --grpc-addr 127.0.0.1:$P1 --http-addr 127.0.0.1:$P2"
  sleep 2
}
stop() { tmux send-keys -t $S Q; sleep 1; tmux kill-session -t $S 2>/dev/null || true; }
record() { tmux pipe-pane -t $S -o "cat > $DIR/$1.bin"; }
done_recording() { tmux pipe-pane -t $S; sleep 0.2; stat -c %s "$DIR/$1.bin"; }
case $MODE in
  idle|live)
    SECS=$2
    start
    "$BIN" demo --endpoint "http://127.0.0.1:$P1" --count 60 --rate 100 --seed 3 >/dev/null 2>&1
    sleep 2
    DEMO=
    if [ "$MODE" = live ]; then
      "$BIN" demo --endpoint "http://127.0.0.1:$P1" --rate "$3" --seed 5 >/dev/null 2>&1 &
      DEMO=$!
      sleep 3
    fi
    S0=$(spans); record out; sleep "$SECS"; B=$(done_recording out); S1=$(spans)
    [ -n "$DEMO" ] && kill $DEMO
    echo "$MODE: $B bytes in $SECS s = $((B / SECS)) B/s at $(((S1 - S0) / SECS)) spans/s"
    stop
    ;;
  tree)
    python3 - "$DIR/big.json" <<'PY'
import json, sys
t0, tid = 1764268201000000000, "ab" * 16
sid = lambda n: "%016x" % (n + 1)
def span(n, parent, name, start, end):
    s = dict(traceId=tid, spanId=sid(n), name=name, kind=1,
             startTimeUnixNano=str(start), endTimeUnixNano=str(end))
    if parent is not None:
        s["parentSpanId"] = sid(parent)
    return s
spans, n = [span(0, None, "batch.run", t0, t0 + 100 * 10**9)], 1
for i in range(100):
    p = n; n += 1
    spans.append(span(p, 0, f"step {i}", t0 + i * 10**9, t0 + (i + 1) * 10**9))
    for j in range(99):
        s = t0 + i * 10**9 + j * 10**7
        spans.append(span(n, p, f"item {i}.{j}", s, s + 10**7)); n += 1
res = {"attributes": [{"key": "service.name", "value": {"stringValue": "big-batch"}}]}
json.dump({"resourceSpans": [{"resource": res, "scopeSpans": [{"scope": {"name": "gen"}, "spans": spans}]}]},
          open(sys.argv[1], "w"))
PY
    "$BIN" import "$DIR/big.json" --data-dir "$DIR/data" >/dev/null
    start
    tmux send-keys -t $S Enter; sleep 3
    record move; for _ in $(seq 20); do tmux send-keys -t $S j; sleep 0.3; done
    echo "tree: 20 moves inside the window: $(done_recording move) bytes"
    for _ in $(seq 20); do tmux send-keys -t $S j; sleep 0.2; done
    record scroll; for _ in $(seq 40); do tmux send-keys -t $S j; sleep 0.2; done
    echo "tree: 40 moves that scroll one row: $(done_recording scroll) bytes"
    record page; for _ in $(seq 5); do tmux send-keys -t $S PageDown; sleep 0.4; done
    echo "tree: 5 pages down: $(done_recording page) bytes"
    stop
    ;;
esac
rm -rf "$DIR"
