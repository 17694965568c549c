"""Records OTLP/HTTP trace export requests as fixture files, and passes them on.

    python3 scripts/otlp_capture.py 127.0.0.1:24318 OUT_DIR [http://127.0.0.1:PORT]

Each POST to /v1/traces is written to OUT_DIR as NNN-traces.pb (protobuf bodies) or
NNN-traces.json (OTLP/JSON bodies), numbered per format in arrival order, then
forwarded unchanged to the optional spanlens OTLP/HTTP address (other signals are
only forwarded). An app that exports
every span through two exporters (protobuf and JSON) thus yields matching .pb/.json
pairs, as in tests/fixtures/. Standard library only.
"""
import gzip
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

OUT = sys.argv[2]
FORWARD = sys.argv[3] if len(sys.argv) > 3 else None
counts = {"pb": 0, "json": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def body(self):
        if self.headers.get("transfer-encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("content-length") or 0))
        data = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    def do_POST(self):
        body = self.body()
        if self.headers.get("content-encoding", "") == "gzip":
            body = gzip.decompress(body)
        ctype = self.headers.get("content-type", "")
        ext = "json" if "json" in ctype else "pb"
        if self.path == "/v1/traces":
            counts[ext] += 1
            with open(os.path.join(OUT, f"{counts[ext]:03d}-traces.{ext}"), "wb") as f:
                f.write(body)
        if FORWARD:
            req = urllib.request.Request(FORWARD + self.path, data=body,
                                         headers={"content-type": ctype})
            urllib.request.urlopen(req).read()
        reply = b"{}" if ext == "json" else b""
        self.send_response(200)
        self.send_header("content-type", ctype or "application/x-protobuf")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


if __name__ == "__main__":
    host, port = sys.argv[1].rsplit(":", 1)
    os.makedirs(OUT, exist_ok=True)
    HTTPServer((host, int(port)), Handler).serve_forever()
