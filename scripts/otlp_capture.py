"""Records the OTLP/HTTP requests an instrumented app exports, for tests/fixtures/.

    python3 scripts/otlp_capture.py 127.0.0.1:24318 OUT_DIR [FORWARD_URL] &
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:24318 python3 app.py

Each POST to /v1/traces or /v1/logs is written as OUT_DIR/NNN-traces.pb (or -logs.pb)
exactly as received, and as NNN-traces.json in OTLP/JSON (hex ids, integer enums,
int64 as strings). With FORWARD_URL (e.g. http://127.0.0.1:4318) the body is also
sent on, so a running spanlens sees the same requests. Needs `opentelemetry-proto`
(installed with the OTLP exporters).

    python3 scripts/otlp_capture.py scrub OUT_DIR OLD=NEW ...

rewrites every string value (attributes, event attributes, status messages) of the
captured requests, replacing OLD with NEW (e.g. a venv path with /opt/venv), and
writes both files of each request again.
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


def write_json(msg, path):
    with open(path, "w") as f:
        json.dump(hex_ids(MessageToDict(msg, use_integers_for_enums=True)), f, indent=1)


def scrub(out, pairs):
    def fix(text):
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    def fix_attrs(attrs):
        for kv in attrs:
            if kv.value.HasField("string_value"):
                kv.value.string_value = fix(kv.value.string_value)

    for name in sorted(os.listdir(out)):
        if not name.endswith(".pb"):
            continue
        kind = ExportLogsServiceRequest if "-logs" in name else ExportTraceServiceRequest
        msg = kind()
        with open(os.path.join(out, name), "rb") as f:
            msg.ParseFromString(f.read())
        if kind is ExportTraceServiceRequest:
            for rs in msg.resource_spans:
                fix_attrs(rs.resource.attributes)
                for ss in rs.scope_spans:
                    for sp in ss.spans:
                        fix_attrs(sp.attributes)
                        sp.status.message = fix(sp.status.message)
                        for ev in sp.events:
                            fix_attrs(ev.attributes)
        else:
            for rl in msg.resource_logs:
                fix_attrs(rl.resource.attributes)
                for sl in rl.scope_logs:
                    for lr in sl.log_records:
                        fix_attrs(lr.attributes)
                        if lr.body.HasField("string_value"):
                            lr.body.string_value = fix(lr.body.string_value)
        with open(os.path.join(out, name), "wb") as f:
            f.write(msg.SerializeToString())
        write_json(msg, os.path.join(out, name[:-3] + ".json"))


if __name__ == "__main__" and sys.argv[1] == "scrub":
    scrub(sys.argv[2], [tuple(p.split("=", 1)) for p in sys.argv[3:]])
elif __name__ == "__main__":
    host, port = sys.argv[1].rsplit(":", 1)
    os.makedirs(sys.argv[2], exist_ok=True)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
