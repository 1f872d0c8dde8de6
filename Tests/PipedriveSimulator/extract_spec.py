#!/usr/bin/env python3
"""Extracts the parts of Pipedrive's OpenAPI specs that the simulator needs.

Run once after the specs change; the output (spec-subset.json) is committed and
read by pdsim.py at run time, so the simulator itself needs no YAML parser.

    python3 Tests/PipedriveSimulator/extract_spec.py [SPEC_DIR] > Tests/PipedriveSimulator/spec-subset.json

SPEC_DIR defaults to /work/shared/reference/pipedrive-openapi and must hold
v1.yaml and v2.yaml. Needs PyYAML (only this generator, never the simulator).
"""

import hashlib
import json
import os
import sys

import yaml

DEFAULT_SPEC_DIR = "/work/shared/reference/pipedrive-openapi"

# (spec file, method, path in the spec, path served by the simulator)
ENDPOINTS = [
    ("v1", "post", "/callLogs", "/api/v1/callLogs"),
    ("v1", "get", "/callLogs", "/api/v1/callLogs"),
    ("v1", "get", "/callLogs/{id}", "/api/v1/callLogs/{id}"),
    ("v1", "delete", "/callLogs/{id}", "/api/v1/callLogs/{id}"),
    ("v1", "post", "/callLogs/{id}/recordings", "/api/v1/callLogs/{id}/recordings"),
    ("v1", "get", "/users", "/api/v1/users"),
    ("v1", "get", "/users/me", "/api/v1/users/me"),
    ("v1", "get", "/users/{id}", "/api/v1/users/{id}"),
    ("v1", "get", "/activityTypes", "/api/v1/activityTypes"),
    ("v1", "get", "/recents", "/api/v1/recents"),
    ("v1", "get", "/oauth/authorize", "/oauth/authorize"),
    ("v1", "post", "/oauth/token", "/oauth/token"),
    ("v1", "post", "/oauth/token/", "/oauth/token/"),
    ("v2", "get", "/persons", "/api/v2/persons"),
    ("v2", "post", "/persons", "/api/v2/persons"),
    ("v2", "get", "/persons/search", "/api/v2/persons/search"),
    ("v2", "get", "/persons/{id}", "/api/v2/persons/{id}"),
    ("v2", "get", "/organizations", "/api/v2/organizations"),
    ("v2", "get", "/organizations/{id}", "/api/v2/organizations/{id}"),
    ("v2", "get", "/activities", "/api/v2/activities"),
    ("v2", "post", "/activities", "/api/v2/activities"),
    ("v2", "get", "/activities/{id}", "/api/v2/activities/{id}"),
    ("v2", "patch", "/activities/{id}", "/api/v2/activities/{id}"),
    ("v2", "delete", "/activities/{id}", "/api/v2/activities/{id}"),
    ("v2", "get", "/deals", "/api/v2/deals"),
    ("v2", "post", "/deals", "/api/v2/deals"),
]

KEPT_SCHEMA_KEYS = {
    "type", "format", "enum", "nullable", "required", "minimum", "maximum",
    "maxLength", "minLength", "pattern", "default", "maxItems", "minItems",
}


def resolve(node, root, seen=()):
    """Inlines every $ref (the current specs have none, older ones do)."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return {}
            target = root
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, root, seen + (ref,))
        return {k: resolve(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, root, seen) for v in node]
    return node


def slim(schema):
    """Keeps the validation-relevant keywords and folds allOf into one object."""
    if not isinstance(schema, dict):
        return {}
    out = {k: v for k, v in schema.items() if k in KEPT_SCHEMA_KEYS}
    props = {}
    required = list(out.get("required", []))
    for part in schema.get("allOf", []):
        merged = slim(part)
        props.update(merged.pop("properties", {}))
        for name in merged.pop("required", []):
            if name not in required:
                required.append(name)
        for k, v in merged.items():
            out.setdefault(k, v)
    for name, sub in (schema.get("properties") or {}).items():
        props[name] = slim(sub)
    if props:
        out["properties"] = props
        out.setdefault("type", "object")
    if required:
        out["required"] = required
    for key in ("oneOf", "anyOf"):
        if key in schema:
            out[key] = [slim(s) for s in schema[key]]
    if "items" in schema:
        out["items"] = slim(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = slim(schema["additionalProperties"])
    elif isinstance(schema.get("additionalProperties"), bool):
        out["additionalProperties"] = schema["additionalProperties"]
    return out


def parameter(p):
    desc = (p.get("description") or "").lower()
    entry = {
        "name": p["name"],
        "in": p["in"],
        "required": bool(p.get("required", False)),
        "schema": slim(p.get("schema") or {}),
    }
    if "comma" in desc or "multiple selection" in desc:
        entry["comma_separated"] = True
    if "maximum value of 500" in desc:
        entry["schema"]["maximum"] = 500
    if "upper limit is 50" in desc:
        entry["schema"]["maximum"] = 50
    if "yyyy-mm-dd hh:mm:ss" in desc:
        entry["schema"]["format"] = "pipedrive-datetime"
    if "rfc3339" in desc:
        entry["schema"]["format"] = "date-time"
    return entry


def body_schema(schema):
    """Request-body schema; notes documented time formats as a format."""
    out = slim(schema)
    raw_props = (schema or {}).get("properties") or {}
    for name, sub in raw_props.items():
        desc = (sub.get("description") or "")
        if "YYYY-MM-DD HH:MM:SS" in desc and name in out.get("properties", {}):
            out["properties"][name]["format"] = "pipedrive-datetime"
    return out


def main(argv):
    spec_dir = argv[1] if len(argv) > 1 else DEFAULT_SPEC_DIR
    specs, digests = {}, {}
    for name in ("v1", "v2"):
        path = os.path.join(spec_dir, name + ".yaml")
        with open(path, "rb") as f:
            raw = f.read()
        digests[name + ".yaml"] = hashlib.sha256(raw).hexdigest()
        specs[name] = yaml.safe_load(raw)
    endpoints = []
    for spec_name, method, spec_path, served_path in ENDPOINTS:
        spec = specs[spec_name]
        op = resolve(spec["paths"][spec_path][method], spec)
        path_params = [p for p in spec["paths"][spec_path].get("parameters", [])]
        scopes = []
        security = []
        for req in op.get("security", []):
            for scheme, scope_list in req.items():
                security.append(scheme)
                scopes.extend(scope_list)
        entry = {
            "key": method.upper() + " " + served_path,
            "method": method.upper(),
            "path": served_path,
            "api": "oauth" if served_path.startswith("/oauth") else spec_name,
            "spec_file": spec_name + ".yaml",
            "spec_path": spec_path,
            "operation_id": op.get("operationId"),
            "token_cost": op.get("x-token-cost", 0),
            "security": security,
            "scopes": scopes,
            "parameters": [parameter(p) for p in resolve(path_params, spec) + op.get("parameters", [])],
        }
        body = op.get("requestBody")
        if body:
            content_type, content = next(iter(body["content"].items()))
            entry["request_body"] = {
                "required": bool(body.get("required", False)),
                "content_type": content_type,
                "schema": body_schema(content.get("schema") or {}),
            }
        responses = {}
        for code, resp in op.get("responses", {}).items():
            item = {"description": resp.get("description", "")}
            for content_type, content in (resp.get("content") or {}).items():
                item["content_type"] = content_type
                if "schema" in content:
                    item["schema"] = slim(content["schema"])
            responses[str(code)] = item
        entry["responses"] = responses
        endpoints.append(entry)
    out = {
        "generated_by": "Tests/PipedriveSimulator/extract_spec.py",
        "sources": digests,
        "servers": {"v1": specs["v1"]["servers"][0]["url"], "v2": specs["v2"]["servers"][0]["url"]},
        "endpoints": endpoints,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
