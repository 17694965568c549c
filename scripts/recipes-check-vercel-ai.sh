#!/usr/bin/env bash
# Runs docs/recipes/code/vercel_ai_app.mjs (Vercel AI SDK: a tool call and a second
# step, a stream, an object, two embedding requests) against a fresh spanlens and the
# fake provider, once per installed AI SDK and telemetry mode, and checks that
# spanlens shows exactly the model calls and tokens the provider answered (its request
# log), plus the cache-read tokens the library reported. A folder that is unset is
# skipped:
#   AI_SDK_6_DIR  npm folder with ai@6 @ai-sdk/openai@3 zod @opentelemetry/sdk-node
#                 @opentelemetry/sdk-trace-base @opentelemetry/resources
#                 @opentelemetry/exporter-trace-otlp-proto
#   AI_SDK_7_DIR  the same with ai@7 @ai-sdk/openai@4 @ai-sdk/otel (run twice:
#                 OpenTelemetry, then LegacyOpenTelemetry)
# Usage: scripts/recipes-check-vercel-ai.sh [path/to/spanlens]   (ports 44417/44418, 18581)
set -u
BIN=$(realpath "${1:-target/debug/spanlens}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(mktemp -d /tmp/recipes-check-ai.XXXXXX)
GRPC=127.0.0.1:44417 HTTP=127.0.0.1:44418 FAKE=127.0.0.1:18581
"$BIN" serve --data-dir "$DATA" --grpc-addr $GRPC --http-addr $HTTP 2>"$DATA/serve.log" & SERVE_PID=$!
FAKE_PID=
trap 'kill $SERVE_PID $FAKE_PID 2>/dev/null' EXIT
sleep 2
passed=0 failed=0
run() { # npm folder, telemetry mode (otel|legacy), service name
    [ -n "$1" ] || { echo "skip $3 (folder unset)"; return; }
    local log="$DATA/$3.requests"
    FAKE_OPENAI_LOG="$log" python3 "$ROOT/scripts/fake_openai.py" $FAKE & FAKE_PID=$!
    sleep 0.5
    cp "$ROOT/docs/recipes/code/vercel_ai_app.mjs" "$1/"
    (cd "$1" && AI_SDK_OTEL=$2 AI_SDK_LOG_WARNINGS=false OPENAI_BASE_URL=http://$FAKE/v1 \
        OTEL_EXPORTER_OTLP_ENDPOINT=http://$HTTP OTEL_SERVICE_NAME=$3 \
        node vercel_ai_app.mjs >/dev/null 2>"$DATA/$3.stderr")
    kill $FAKE_PID; wait $FAKE_PID 2>/dev/null; FAKE_PID=
    sleep 1
    if "$BIN" --data-dir "$DATA" traces --json --limit 1000 --service "$3" |
        python3 "$ROOT/scripts/recipes_check_compare.py" "$log" "$3"; then
        passed=$((passed+1)); else failed=$((failed+1)); fi
}
run "${AI_SDK_6_DIR:-}" legacy recipe-ai-sdk-6
run "${AI_SDK_7_DIR:-}" legacy recipe-ai-sdk-7-legacy
run "${AI_SDK_7_DIR:-}" otel recipe-ai-sdk-7
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
