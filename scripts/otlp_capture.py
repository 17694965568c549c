"""Records the OTLP/HTTP requests an instrumented app exports, for tests/fixtures/.

    python3 scripts/otlp_capture.py 127.0.0.1:24318 OUT_DIR [FORWARD_URL] &
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:24318 python3 app.py

Each POST to /v1/traces or /v1/logs is written as OUT_DIR/NNN-traces.pb (or -logs.pb)
exactly as received, and as NNN-traces.json in OTLP/JSON (hex ids, integer enums,
int64 as strings). With FORWARD_URL (e.g. http://127.0.0.1:4318) the body is also
sent on, so a running spanlens sees the same requests. Needs `opentelemetry-proto`
(installed with the OTLP exporters).
"""
import base64
import json
import os
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

LOCK = threading.Lock()
COUNT = [0]
ID_KEYS = {"traceId", "spanId", "parentSpanId"}


def hex_ids(v):
    if isinstance(v, dict):
        return {k: (base64.b64decode(x).hex() if k in ID_KEYS and isinstance(x, str) else hex_ids(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [hex_ids(x) for x in v]
    return v


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        kind = "logs" if self.path.endswith("/logs") else "traces"
        if self.path.endswith("/metrics"):
            kind = None
        if kind:
            msg = (ExportLogsServiceRequest if kind == "logs" else ExportTraceServiceRequest)()
            msg.ParseFromString(body)
            with LOCK:
                COUNT[0] += 1
                n = COUNT[0]
            out = sys.argv[2]
            with open(os.path.join(out, f"{n:03}-{kind}.pb"), "wb") as f:
                f.write(body)
            doc = hex_ids(MessageToDict(msg, use_integers_for_enums=True))
            with open(os.path.join(out, f"{n:03}-{kind}.json"), "w") as f:
                json.dump(doc, f, indent=1)
        if len(sys.argv) > 3:
            req = urllib.request.Request(sys.argv[3].rstrip("/") + self.path, data=body,
                                         headers={"content-type": self.headers.get("content-type")})
            urllib.request.urlopen(req).read()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()


if __name__ == "__main__":
    host, port = sys.argv[1].rsplit(":", 1)
    os.makedirs(sys.argv[2], exist_ok=True)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
