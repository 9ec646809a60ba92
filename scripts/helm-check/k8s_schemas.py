#!/usr/bin/env python3
"""Turns the Kubernetes JSON schemas shipped in the PyPI wheel of
kubernetes-validate into a directory kubeconform can read offline.

The wheel holds, per Kubernetes version, `vX.Y.Z-local-strict/<kind>-<group>-<version>.json`
(additionalProperties: false everywhere) whose $refs point at
`/api/_definitions.json#/$defs/...` relative to an https://kubernetes.io/ $id.
kubeconform would fetch that over the network, so the $ids are dropped and the
$refs rewritten to the sibling file `_definitions.json`, which kubeconform's
file loader resolves locally.

usage: k8s_schemas.py WHEEL OUT_DIR VERSION...   (VERSION like 1.30.0)
"""
import json
import os
import sys
import zipfile

PREFIX = "kubernetes_validate/kubernetes-json-schema/"
REF_FROM = "/api/_definitions.json#"
REF_TO = "_definitions.json#"


def rewrite(node):
    if isinstance(node, dict):
        node.pop("$id", None)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_FROM):
            node["$ref"] = REF_TO + ref[len(REF_FROM):]
        for value in node.values():
            rewrite(value)
    elif isinstance(node, list):
        for value in node:
            rewrite(value)


def main(wheel, out_dir, versions):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for version in versions:
            folder = f"v{version}-local-strict"
            members = [n for n in names if n.startswith(PREFIX + folder + "/") and n.endswith(".json")]
            if not members:
                sys.exit(f"k8s_schemas: the wheel has no schemas for Kubernetes {version}")
            dest = os.path.join(out_dir, folder)
            os.makedirs(dest, exist_ok=True)
            for member in members:
                schema = json.loads(zf.read(member))
                rewrite(schema)
                with open(os.path.join(dest, os.path.basename(member)), "w") as f:
                    json.dump(schema, f, separators=(",", ":"))
            print(f"k8s_schemas: {len(members)} schemas for Kubernetes {version} in {dest}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
