#!/usr/bin/env python3
"""An independent MCP client for `spanlens mcp`: the official Python SDK (PyPI `mcp`,
tested with 2.3.0) starts the server over stdio, lists its tools and calls
search_traces and get_trace, checking the answers against `spanlens traces --json`.

    pip install mcp==2.3.0
    python3 scripts/mcp-check.py [--spanlens PATH] [--data-dir DIR]

Without --data-dir it fills a temporary store with `spanlens demo` against a
`spanlens serve` on free loopback ports, stops the receiver, and checks the store.
Exit code 0 when every check passed.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

EXPECTED_TOOLS = {
    "search_traces", "get_trace", "get_span", "list_errors", "cost_report",
    "eval_scorecards", "compare_experiments", "compare_traces",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill_with_demo(spanlens, data_dir):
    """`spanlens serve` on free ports, `spanlens demo --count 12` into it, then stop."""
    grpc, http = free_port(), free_port()
    serve = subprocess.Popen(
        [spanlens, "serve", "--data-dir", data_dir,
         "--grpc-addr", f"127.0.0.1:{grpc}", "--http-addr", f"127.0.0.1:{http}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while not os.path.exists(os.path.join(data_dir, "spanlens.lock")) and time.time() < deadline:
            time.sleep(0.1)
        subprocess.run(
            [spanlens, "demo", "--data-dir", data_dir, "--count", "12", "--rate", "50"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        # The receiver writes asynchronously: wait until all traces are listed.
        deadline = time.time() + 20
        while time.time() < deadline:
            out = subprocess.run(
                [spanlens, "traces", "--json", "--data-dir", data_dir, "--limit", "500"],
                capture_output=True, text=True)
            if out.returncode == 0 and len(json.loads(out.stdout)) >= 12:
                break
            time.sleep(0.2)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=20)


def fail(message):
    print(f"mcp-check: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def answer(result, tool):
    if result.is_error:
        fail(f"{tool} returned a tool error: {result.content[0].text}")
    return json.loads(result.content[0].text)


async def check(spanlens, data_dir):
    expected = json.loads(subprocess.run(
        [spanlens, "traces", "--json", "--data-dir", data_dir, "--limit", "5"],
        check=True, capture_output=True, text=True).stdout)
    if not expected:
        fail("the store holds no traces")
    params = StdioServerParameters(
        command=spanlens, args=["mcp", "--data-dir", data_dir],
        env={**os.environ, "SPANLENS_LOG": "warn"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            if init.server_info.name != "spanlens":
                fail(f"server name {init.server_info.name!r}")
            tools = {t.name: t for t in (await session.list_tools()).tools}
            if set(tools) != EXPECTED_TOOLS:
                fail(f"tools {sorted(tools)}")
            if "trace_id" not in tools["get_trace"].input_schema["properties"]:
                fail("get_trace has no trace_id parameter")

            found = answer(await session.call_tool("search_traces", {"limit": 5}), "search_traces")
            if found["traces"] != expected:
                fail("search_traces differs from `spanlens traces --json`")
            first = found["traces"][0]
            trace = answer(await session.call_tool("get_trace", {"trace_id": first["trace_id"]}),
                           "get_trace")
            if trace["trace_id"] != first["trace_id"]:
                fail("get_trace answered another trace")
            spans = trace["spans"]
            if len(spans) != first["span_count"] and "truncated" not in trace:
                fail(f"{len(spans)} spans, the summary says {first['span_count']}")
            tokens = sum((s["llm"] or {}).get("input_tokens") or 0 for s in spans)
            if "truncated" not in trace and tokens != first["input_tokens"]:
                fail(f"span input tokens {tokens} != summary {first['input_tokens']}")

            bad = await session.call_tool("get_trace", {"trace_id": "not-a-trace"})
            if not bad.is_error:
                fail("a bad trace id was not a tool error")
    print(f"mcp-check: ok — {len(tools)} tools; search_traces and get_trace agree with "
          f"`spanlens traces --json` (trace {first['trace_id']}, {len(spans)} spans, "
          f"{first['input_tokens']} input tokens)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spanlens", default=os.environ.get("SPANLENS_BIN", "target/debug/spanlens"))
    p.add_argument("--data-dir")
    args = p.parse_args()
    spanlens = os.path.abspath(args.spanlens)
    if args.data_dir:
        asyncio.run(check(spanlens, args.data_dir))
        return
    with tempfile.TemporaryDirectory(prefix="spanlens-mcp-check-") as d:
        fill_with_demo(spanlens, d)
        asyncio.run(check(spanlens, d))


if __name__ == "__main__":
    main()
