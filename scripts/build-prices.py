#!/usr/bin/env python3
"""Builds assets/model-prices.json, the price table spanlens embeds.

Input: a subset of LiteLLM's published price table in the shape
{"_source": ..., "models": {name: {...}}} (the embedded assets/model-prices.json is
one: re-running on it reproduces it).
Output: the same shape, keeping `_source` (LiteLLM's MIT attribution) and, per
model, only the fields spanlens prices with. One model per line, sorted, so diffs
stay readable.

Usage: python3 scripts/build-prices.py INPUT [OUTPUT]
"""
import json
import sys

KEEP = [
    "provider",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
]


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python3 scripts/build-prices.py INPUT [OUTPUT]")
    src = sys.argv[1]
    dst = sys.argv[2] if len(sys.argv) > 2 else "assets/model-prices.json"
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    models = data["models"]
    lines = []
    for name in sorted(models):
        entry = models[name]
        if not isinstance(entry.get("input_cost_per_token"), (int, float)):
            continue
        kept = {k: entry[k] for k in KEEP if k in entry}
        lines.append(f"  {json.dumps(name)}: {json.dumps(kept, separators=(',', ':'))}")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("{\n")
        f.write(f"\"_source\": {json.dumps(data['_source'])},\n")
        f.write("\"models\": {\n")
        f.write(",\n".join(lines))
        f.write("\n}\n}\n")
    print(f"{dst}: {len(lines)} models")


if __name__ == "__main__":
    main()
