"""tanya's stages, one room (subpackage) each: see README "Where things are"."""

import os

# onnxruntime (the reader's forward pass; chromadb's) reports telemetry from
# Linux since 1.29, and writes a device id under ~/.cache when imported:
# tanya runs offline and writes nothing outside its data directory. Set
# before anything imports onnxruntime; a user's own setting stands.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
