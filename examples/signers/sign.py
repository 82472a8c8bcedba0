#!/usr/bin/env python3
"""Linksfield Mall (Vshop) request signature, written from openapi/vshop.yaml's info.description,
checked against openapi/signing-vectors.json. Standard library only. Usage: sign.py [vectors.json]"""
import base64, hashlib, json, os, sys

def parse(body: bytes) -> dict:
    def obj(pairs):  # reject duplicate keys: the server could read either value
        if len({k for k, _ in pairs}) != len(pairs): raise ValueError("duplicate key")
        return dict(pairs)  # keeps the order the members were sent in
    def nonstd(name): raise ValueError(name + " is not JSON")  # json.loads would accept NaN, Infinity
    doc = json.loads(body.decode("utf-8"), object_pairs_hook=obj, parse_constant=nonstd)
    if not isinstance(doc, dict): raise ValueError("body is not a JSON object")
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # fails on a lone surrogate such as "\ud800"
    return doc

def write(v) -> str:  # the canonical writer: compact, raw UTF-8, keys sorted (by code point)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

def content(doc: dict) -> str:
    return write({k: v for k, v in doc.items() if k != "sign" and v is not None and v != ""})

def sign_content(body: bytes) -> str:
    return content(parse(body))

def sign(body: bytes) -> str:
    return hashlib.md5(sign_content(body).encode("utf-8")).hexdigest()

FILL = ("partnerCode", "version", "tradeType", "tradeTime")

def wire_body(body: bytes, signer: dict) -> str:
    """The body to send: members in their order, sign dropped, each written as in the signContent
    (so what is sent is what is signed); the signer's fields filled in place when null or "", appended
    when absent; the sign last."""
    doc = {k: v for k, v in parse(body).items() if k != "sign"}
    for k in FILL:
        if doc.get(k) is None or doc.get(k) == "": doc[k] = signer[k]  # in place if present, else appended
    members = [write(k) + ":" + write(v) for k, v in doc.items()]
    return "{" + ",".join(members) + ',"sign":"' + hashlib.md5(content(doc).encode("utf-8")).hexdigest() + '"}'

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../openapi/signing-vectors.json")
f, bad = json.load(open(path, encoding="utf-8")), 0
body = lambda v: base64.b64decode(v["bodyBase64"]) if "bodyBase64" in v else v["body"].encode("utf-8")
for v in f["vectors"]:
    got = (sign_content(body(v)), sign(body(v)), wire_body(body(v), f["signer"]))
    if got != (v["signContent"], v["sign"], v["wire"]): bad += 1; print("FAIL", v["name"], got)
for v in f["negative"]:
    if sign(body(v)) == v["notSign"] or sign_content(body(v)) == v.get("wrongSignContent"): bad += 1; print("FAIL", v["name"])
for v in f["errors"]:
    try: sign(body(v)); bad += 1; print("FAIL (accepted)", v["name"])
    except (ValueError, UnicodeError): pass
n = len(f["vectors"]) + len(f["negative"]) + len(f["errors"])
print(f"sign.py: {n - bad}/{n} vectors ok")
sys.exit(1 if bad else 0)
