#!/usr/bin/env bash
# Runs the Python library recipes (LlamaIndex, LangGraph, tenacity, OpenLIT) end to end: the
# real libraries against scripts/fake_openai.py, exporting to a fresh spanlens, and
# checks that spanlens counts as many model calls and errors (per service) as the
# fake provider logged requests and failed ones. A recipe whose venv is unset is
# skipped. The venvs hold the pinned packages the recipes list:
#   VENV_LLAMAINDEX  docs/recipes/python-llamaindex.md
#   VENV_LANGGRAPH   docs/recipes/python-langgraph.md
#   VENV_TENACITY    docs/recipes/python-tenacity.md
#   VENV_OPENLIT     docs/recipes/python-openlit.md
# Usage: scripts/recipes-check-py.sh [path/to/spanlens]   (ports 44517/44518, 18581)
set -u
BIN=$(realpath "${1:-target/debug/spanlens}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(mktemp -d /tmp/recipes-check-py.XXXXXX)
GRPC=127.0.0.1:44517 HTTP=127.0.0.1:44518 FAKE=127.0.0.1:18581
passed=0 failed=0
check() { # name service venv app
    local name=$1 service=$2 venv=$3 app=$4 log=$DATA/$1-requests.jsonl
    if [ -z "$venv" ]; then echo "skip $name (venv unset)"; return; fi
    FAKE_OPENAI_LOG=$log python3 "$ROOT/scripts/fake_openai.py" $FAKE & local fake=$!
    sleep 1
    (cd "$ROOT/docs/recipes/code" &&
        OPENAI_BASE_URL=http://$FAKE/v1 OPENAI_API_BASE=http://$FAKE/v1 OPENAI_API_KEY=fake \
        OTEL_EXPORTER_OTLP_ENDPOINT=http://$HTTP \
        OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental \
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_ONLY \
        "$venv/bin/python" "$app" >"$DATA/$name.out" 2>&1)
    kill $fake; wait $fake 2>/dev/null
    sleep 1
    local got
    got=$("$BIN" --data-dir "$DATA" stats --json | python3 -c '
import json, sys
stats, service, log = json.load(sys.stdin), sys.argv[1], sys.argv[2]
reqs = [json.loads(l) for l in open(log)]
row = next((s for s in stats["by_service"] if s["service"] == service), None)
want = (len(reqs), sum(r["status"] != 200 for r in reqs))
got = (row["llm_calls"], row["errors"]) if row else (0, 0)
print(("ok  " if got == want else "FAIL") + f" calls, errors: spanlens {got}, provider {want}")
' "$service" "$log")
    echo "$name: $got"
    case $got in ok*) passed=$((passed+1));; *) failed=$((failed+1));; esac
}
"$BIN" serve --data-dir "$DATA" --grpc-addr $GRPC --http-addr $HTTP 2>"$DATA/serve.log" & SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null' EXIT
sleep 2
check llamaindex recipe-llamaindex "${VENV_LLAMAINDEX:-}" llamaindex_rag_app.py
check langgraph recipe-langgraph "${VENV_LANGGRAPH:-}" langgraph_agent_app.py
check tenacity recipe-tenacity "${VENV_TENACITY:-}" tenacity_app.py
check openlit recipe-openlit "${VENV_OPENLIT:-}" openlit_app.py
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
