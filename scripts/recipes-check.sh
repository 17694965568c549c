#!/usr/bin/env bash
# Runs the docs/recipes example apps against a fresh spanlens and checks each one's
# traces arrived. Needs the packages each recipe lists, in these virtualenvs (made
# and filled by the recipes' pip commands); a recipe whose venv is missing is skipped:
#   VENV_OTEL       opentelemetry-sdk, -exporter-otlp, openinference-instrumentation-openai,
#                   opentelemetry-instrumentation-openai-v2, opentelemetry-util-genai==1.1b0, openai, httpx
#   VENV_TRACELOOP  traceloop-sdk==0.62.4, openai, httpx
#   VENV_LANGSMITH  langsmith[otel], openai, opentelemetry-exporter-otlp-proto-http
#   NODE_DIR        a folder with @opentelemetry/{api,sdk-node,exporter-trace-otlp-proto} installed
# Usage: scripts/recipes-check.sh [path/to/spanlens]   (ports 44317/44318, 18481)
set -u
BIN=$(realpath "${1:-target/debug/spanlens}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CODE=$ROOT/docs/recipes/code
DATA=$(mktemp -d /tmp/recipes-check.XXXXXX)
GRPC=127.0.0.1:44317 HTTP=127.0.0.1:44318 FAKE=127.0.0.1:18481
python3 "$ROOT/scripts/fake_openai.py" $FAKE & FAKE_PID=$!
"$BIN" serve --data-dir "$DATA" --grpc-addr $GRPC --http-addr $HTTP 2>"$DATA/serve.log" & SERVE_PID=$!
trap 'kill $FAKE_PID $SERVE_PID 2>/dev/null' EXIT
sleep 2
export OPENAI_BASE_URL=http://$FAKE/v1 OPENAI_API_KEY=fake
passed=0 failed=0
expect() { # service-or-project, minimum traces
    local n
    n=$("$BIN" --data-dir "$DATA" traces --json --limit 1000 --service "$1" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    if [ "$n" -ge "$2" ]; then echo "ok   $1: $n traces"; passed=$((passed+1));
    else echo "FAIL $1: $n traces (want >= $2)"; failed=$((failed+1)); fi
}
cd "$CODE"
if [ -n "${VENV_OTEL:-}" ]; then
    OTEL_EXPORTER_OTLP_ENDPOINT=http://$GRPC "$VENV_OTEL/bin/python" otel_sdk_manual.py >/dev/null
    expect recipe-otel-sdk 1
    OTEL_EXPORTER_OTLP_ENDPOINT=http://$HTTP "$VENV_OTEL/bin/python" openinference_app.py >/dev/null
    expect recipe-openinference 3
    OTEL_EXPORTER_OTLP_ENDPOINT=http://$GRPC OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental \
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_AND_EVENT \
        "$VENV_OTEL/bin/python" openai_v2_app.py >/dev/null
    expect recipe-openai-v2 3
else echo "skip Python OTel recipes (VENV_OTEL unset)"; fi
if [ -n "${VENV_TRACELOOP:-}" ]; then
    TRACELOOP_BASE_URL=http://$HTTP TRACELOOP_TELEMETRY=false \
        "$VENV_TRACELOOP/bin/python" traceloop_app.py >/dev/null 2>&1
    expect recipe-traceloop 1
else echo "skip traceloop (VENV_TRACELOOP unset)"; fi
if [ -n "${VENV_LANGSMITH:-}" ]; then
    LANGSMITH_TRACING=true LANGSMITH_TRACING_MODE=otel OTEL_EXPORTER_OTLP_ENDPOINT=http://$HTTP \
    OTEL_SERVICE_NAME=recipe-langsmith "$VENV_LANGSMITH/bin/python" langsmith_otel_app.py >/dev/null
    expect recipe-langsmith 1
else echo "skip LangSmith (VENV_LANGSMITH unset)"; fi
if [ -n "${NODE_DIR:-}" ]; then
    cp node_app.mjs "$NODE_DIR/" && (cd "$NODE_DIR" && OTEL_EXPORTER_OTLP_ENDPOINT=http://$HTTP node node_app.mjs >/dev/null)
    expect recipe-node 1
else echo "skip Node (NODE_DIR unset)"; fi
"$BIN" --data-dir "$DATA" stats | tail -n 4
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
