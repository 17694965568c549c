"""A tiny local stand-in for the OpenAI HTTP API, so the recipes in docs/recipes/
can run an unmodified OpenAI client without an API key or the internet.

    python3 scripts/fake_openai.py 127.0.0.1:18080 &
    OPENAI_BASE_URL=http://127.0.0.1:18080/v1 OPENAI_API_KEY=fake python3 app.py

Answers /v1/chat/completions (plain and streamed) and /v1/embeddings with fixed
usage: 42 prompt tokens (10 of them cached), 17 completion tokens; embeddings: 8
per input. Standard library only.

On demand, from the text of the last message (or the embedding input):
- `RATELIMIT` answers HTTP 429 and `FAIL500` HTTP 500, every time; `RATELIMITxN`
  / `FAIL500xN` (N a digit) fail only the first N requests with that exact text,
  then answer normally (for retries);
- a request that offers `tools` and has no `tool` message yet gets a call of the
  first tool with arguments `{"city": "Paris"}` (id `call_N`, N counting from 1).

With FAKE_OPENAI_LOG=FILE each request appends one JSON line (path, model, stream,
status, tokens) to FILE, so a check can count what was really asked for.
"""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROMPT, COMPLETION, CACHED = 42, 17, 10
LOCK = threading.Lock()
SEEN = {}  # failure text -> requests seen
CALLS = [0]  # tool calls made


def failure_for(text):
    """(status, message) to fail this request with, or None."""
    m = re.search(r"(RATELIMIT|FAIL500)(?:x(\d))?", text)
    if not m:
        return None
    with LOCK:
        SEEN[text] = SEEN.get(text, 0) + 1
        n = SEEN[text]
    if m.group(2) and n > int(m.group(2)):
        return None
    if m.group(1) == "RATELIMIT":
        return 429, "Rate limit reached for gpt-4o-mini: rate_limit_exceeded"
    return 500, "The server had an error while processing your request."


def log(entry):
    path = os.environ.get("FAKE_OPENAI_LOG")
    if path:
        with LOCK, open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if status == 429:
            self.send_header("retry-after", "0")
        self.end_headers()
        self.wfile.write(data)

    def _fail(self, entry, status, message):
        entry["status"] = status
        log(entry)
        kind = "rate_limit_exceeded" if status == 429 else "server_error"
        self._json({"error": {"message": message, "type": kind, "code": kind}}, status)

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        req = json.loads(self.rfile.read(length) or b"{}")
        model = req.get("model", "gpt-4o-mini")
        entry = {"path": self.path, "model": model, "stream": bool(req.get("stream"))}
        if self.path.endswith("/embeddings"):
            inputs = req.get("input", [])
            inputs = inputs if isinstance(inputs, list) else [inputs]
            fail = failure_for(json.dumps(inputs))
            if fail:
                return self._fail(entry, *fail)
            entry.update(status=200, input_tokens=8 * len(inputs))
            log(entry)
            self._json({
                "object": "list",
                "model": model,
                "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                         for i, _ in enumerate(inputs)],
                "usage": {"prompt_tokens": 8 * len(inputs), "total_tokens": 8 * len(inputs)},
            })
            return
        if not self.path.endswith("/chat/completions"):
            entry["status"] = 404
            log(entry)
            self._json({"error": {"message": f"no route {self.path}"}}, 404)
            return
        messages = req.get("messages") or [{}]
        last = messages[-1].get("content") or ""
        if not isinstance(last, str):
            last = json.dumps(last)
        fail = failure_for(last)
        if fail:
            return self._fail(entry, *fail)
        message = {"role": "assistant", "content": f"(fake) You said: {last[:60]}"}
        finish = "stop"
        if req.get("tools") and not any(m.get("role") == "tool" for m in messages):
            with LOCK:
                CALLS[0] += 1
                call_id = f"call_{CALLS[0]}"
            name = req["tools"][0].get("function", {}).get("name", "tool")
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": call_id, "type": "function",
                "function": {"name": name, "arguments": json.dumps({"city": "Paris"})},
            }]}
            finish = "tool_calls"
        usage = {"prompt_tokens": PROMPT, "completion_tokens": COMPLETION,
                 "total_tokens": PROMPT + COMPLETION,
                 "prompt_tokens_details": {"cached_tokens": CACHED}}
        entry.update(status=200, input_tokens=PROMPT, output_tokens=COMPLETION,
                     cached_tokens=CACHED, tool_call=finish == "tool_calls")
        log(entry)
        base = {"id": "chatcmpl-fake", "created": int(time.time()),
                "model": model + "-2024-07-18" if model == "gpt-4o-mini" else model}
        if req.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            delta = dict(message)
            if delta.get("tool_calls"):
                delta["tool_calls"] = [dict(c, index=i) for i, c in enumerate(delta["tool_calls"])]
            chunks = [
                {"index": 0, "delta": delta, "finish_reason": None},
                {"index": 0, "delta": {}, "finish_reason": finish},
            ]
            for c in chunks:
                ev = dict(base, object="chat.completion.chunk", choices=[c])
                self.wfile.write(f"data: {json.dumps(ev)}\n\n".encode())
            ev = dict(base, object="chat.completion.chunk", choices=[], usage=usage)
            self.wfile.write(f"data: {json.dumps(ev)}\n\ndata: [DONE]\n\n".encode())
            return
        self._json(dict(base, object="chat.completion", usage=usage, choices=[{
            "index": 0, "finish_reason": finish, "message": message,
        }]))


if __name__ == "__main__":
    host, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:18080").rsplit(":", 1)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
