"""A tiny local stand-in for the OpenAI HTTP API, so the recipes in docs/recipes/
can run an unmodified OpenAI client without an API key or the internet.

    python3 scripts/fake_openai.py 127.0.0.1:18080 &
    OPENAI_BASE_URL=http://127.0.0.1:18080/v1 OPENAI_API_KEY=fake python3 app.py

Answers /v1/chat/completions (plain and streamed) and /v1/embeddings with fixed
usage: 42 prompt tokens, 17 completion tokens (embeddings: 8 per input).
A chat request that offers `tools` and carries no tool result yet is answered with
one call of the first tool (arguments `{"city": "Paris"}`, id `call_fake_1`); one
with a JSON `response_format` gets `{"city": "Paris", "temp_c": 21}` as content.
Environment: FAKE_OPENAI_CACHED=N reports N of the prompt tokens as cached
(`prompt_tokens_details.cached_tokens`); FAKE_OPENAI_LOG=FILE appends one JSON line
per request answered (path, model, stream, the usage returned) so a run's calls and
tokens can be counted.
Standard library only.
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROMPT, COMPLETION = 42, 17
CACHED = int(os.environ.get("FAKE_OPENAI_CACHED") or 0)
LOG = os.environ.get("FAKE_OPENAI_LOG")


def log_request(path, model, stream, usage):
    if LOG:
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": path, "model": model, "stream": bool(stream),
                                "usage": usage}) + "\n")


def tool_call_for(req):
    """The first offered tool, called once (None after a tool result came back)."""
    tools = req.get("tools") or []
    msgs = req.get("messages") or []
    if not tools or any(m.get("role") == "tool" for m in msgs):
        return None
    name = (tools[0].get("function") or {}).get("name", "tool")
    return {"id": "call_fake_1", "type": "function",
            "function": {"name": name, "arguments": json.dumps({"city": "Paris"})}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        req = json.loads(self.rfile.read(length) or b"{}")
        model = req.get("model", "gpt-4o-mini")
        if self.path.endswith("/embeddings"):
            inputs = req.get("input", [])
            inputs = inputs if isinstance(inputs, list) else [inputs]
            usage = {"prompt_tokens": 8 * len(inputs), "total_tokens": 8 * len(inputs)}
            log_request(self.path, model, False, usage)
            self._json({
                "object": "list",
                "model": model,
                "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                         for i, _ in enumerate(inputs)],
                "usage": usage,
            })
            return
        if not self.path.endswith("/chat/completions"):
            self._json({"error": {"message": f"no route {self.path}"}}, 404)
            return
        last = (req.get("messages") or [{}])[-1].get("content") or ""
        answer = f"(fake) You said: {str(last)[:60]}"
        usage = {"prompt_tokens": PROMPT, "completion_tokens": COMPLETION,
                 "total_tokens": PROMPT + COMPLETION}
        if CACHED:
            usage["prompt_tokens_details"] = {"cached_tokens": CACHED}
        log_request(self.path, model, req.get("stream"), usage)
        call = tool_call_for(req)
        if (req.get("response_format") or {}).get("type") in ("json_schema", "json_object"):
            answer = json.dumps({"city": "Paris", "temp_c": 21})
        base = {"id": "chatcmpl-fake", "created": int(time.time()),
                "model": model + "-2024-07-18" if model == "gpt-4o-mini" else model}
        if req.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            chunks = [
                {"index": 0, "delta": {"role": "assistant", "content": answer}, "finish_reason": None},
                {"index": 0, "delta": {}, "finish_reason": "stop"},
            ]
            for c in chunks:
                ev = dict(base, object="chat.completion.chunk", choices=[c])
                self.wfile.write(f"data: {json.dumps(ev)}\n\n".encode())
            ev = dict(base, object="chat.completion.chunk", choices=[], usage=usage)
            self.wfile.write(f"data: {json.dumps(ev)}\n\ndata: [DONE]\n\n".encode())
            return
        message = {"role": "assistant", "content": answer}
        if call:
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        self._json(dict(base, object="chat.completion", usage=usage, choices=[{
            "index": 0, "finish_reason": "tool_calls" if call else "stop",
            "message": message,
        }]))


if __name__ == "__main__":
    host, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:18080").rsplit(":", 1)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
