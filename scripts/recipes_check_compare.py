"""Compares spanlens' traces of one service (`traces --json` on stdin) with the fake
provider's request log (FAKE_OPENAI_LOG): model calls, input and output tokens must
be equal; cache-read tokens are printed beside what the provider reported (a library
may not pass them on). Exit status 1 on a mismatch.

    spanlens traces --json --service S | python3 scripts/recipes_check_compare.py LOG S
"""
import json
import sys

log, service = sys.argv[1], sys.argv[2]
# `--service` matches by substring: keep this service's traces only.
traces = [t for t in json.load(sys.stdin) if t["service"] == service]
requests = [json.loads(line) for line in open(log) if line.strip()]
want = {
    "llm_calls": len(requests),
    "input_tokens": sum(r.get("input_tokens", 0) for r in requests),
    "output_tokens": sum(r.get("output_tokens", 0) for r in requests),
}
got = {k: sum(t[k] for t in traces) for k in want}
cached_sent = sum(r.get("cached_tokens", 0) for r in requests)
cached = sum(t["cache_read_tokens"] for t in traces)
cost = sum(t["cost_usd"] or 0 for t in traces)
ok = got == want
print(f"{'ok  ' if ok else 'FAIL'} {service}: {len(traces)} traces; spanlens {got}, "
      f"provider {want}; cache-read {cached} (provider {cached_sent}); cost ${cost:.8f}")
sys.exit(0 if ok else 1)
