"""Writes the OTLP/JSON twin of each captured protobuf trace request.

    python3 scripts/otlp_pb_to_json.py tests/fixtures/FOLDER

For every NNN-traces.pb, NNN-traces.json: the same ExportTraceServiceRequest in
OTLP/JSON (camelCase fields, hex trace/span ids, int64 as strings, enums as
integers). Needs the `opentelemetry-proto` package (PyPI).
"""
import base64
import glob
import json
import os
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)

ID_KEYS = ("traceId", "spanId", "parentSpanId")


def hex_ids(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ID_KEYS and isinstance(v, str):
                node[k] = base64.b64decode(v).hex()
            else:
                hex_ids(v)
    elif isinstance(node, list):
        for v in node:
            hex_ids(v)


for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-traces.pb"))):
    req = ExportTraceServiceRequest()
    with open(path, "rb") as f:
        req.ParseFromString(f.read())
    doc = json_format.MessageToDict(req, use_integers_for_enums=True)
    hex_ids(doc)
    with open(path[: -len(".pb")] + ".json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
