#!/usr/bin/env python3
"""An independent writer and checker of Loam ledgers, from DESIGN.md alone.

Python's standard library plus the `openssl` command: no Loam code. Used by the tests to show
that a ledger written by another implementation verifies with `loam`, and that what `loam`
appends checks out here.

  pyledger.py write LEDGER_DIR KEYS_DIR   # writes genesis, enroll, field, harvest + checkpoint
  pyledger.py check LEDGER_DIR            # checks seq, prev, logged, ids and the checkpoint root
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ORIGIN = "example.org/loam/interop"
PAYLOAD_TYPE = "application/vnd.loam.statement.v1+json"


def jcs(value):
    # RFC 8785 for documents of ASCII keys, strings and integers (all this writer emits).
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def new_key(path):
    openssl("genpkey", "-algorithm", "ed25519", "-out", path)
    os.chmod(path, 0o600)
    der = openssl("pkey", "-in", path, "-pubout", "-outform", "DER")
    pem = openssl("pkey", "-in", path, "-pubout").decode()
    return {"path": path, "der": der, "pem": pem, "keyid": hashlib.sha256(der).hexdigest()}


def sign(key, message):
    with tempfile.NamedTemporaryFile() as f:
        f.write(message)
        f.flush()
        return openssl("pkeyutl", "-sign", "-inkey", key["path"], "-rawin", "-in", f.name)


def envelope(statement, key):
    payload = jcs(statement)
    pae = b"DSSEv1 %d %s %d %s" % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload), payload)
    return {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": key["keyid"], "sig": base64.b64encode(sign(key, pae)).decode()}],
    }


def leaf(line):
    return hashlib.sha256(b"\x00" + line).digest()


def root(leaves):
    # RFC 9162 MTH, recursively.
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + root(leaves[:k]) + root(leaves[k:])).digest()


def vkey(name, key):
    raw = key["der"][-32:]
    key_hash = hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]
    return "%s+%s+%s" % (name, key_hash.hex(), base64.b64encode(b"\x01" + raw).decode())


def checkpoint(origin, lines, log_key):
    text = "%s\n%d\n%s\n" % (origin, len(lines), base64.b64encode(root([leaf(l) for l in lines])).decode())
    raw = log_key["der"][-32:]
    key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()[:4]
    signature = sign(log_key, text.encode())
    return text + "\n" + "\u2014 %s %s\n" % (origin, base64.b64encode(key_hash + signature).decode())


def write(ledger, keys_dir):
    os.makedirs(ledger)
    os.makedirs(keys_dir, exist_ok=True)
    admin = new_key(os.path.join(keys_dir, "admin.pem"))
    grower = new_key(os.path.join(keys_dir, "grower.pem"))
    log_key = new_key(os.path.join(keys_dir, "log.pem"))
    t = "2026-09-14T07:%02d:00Z"
    statements = [
        ({"kind": "genesis", "actor": "coop", "time": t % 0, "origin": ORIGIN, "logKey": vkey(ORIGIN, log_key),
          "participants": [{"id": "coop", "name": "Co-op", "roles": ["admin"], "keys": [admin["pem"]]}]}, admin),
        ({"kind": "enroll", "actor": "coop", "time": t % 1,
          "participant": {"id": "grower:py", "name": "Python Farm", "roles": ["grower"], "keys": [grower["pem"]]}}, admin),
        ({"kind": "field", "actor": "grower:py", "time": t % 2,
          "field": {"id": "field:py", "name": "Snake Hill", "area": {"value": 3, "uom": "HAR"}}}, grower),
        ({"kind": "harvest", "actor": "grower:py", "time": t % 3, "field": "field:py", "lot": "LOT-PY-1",
          "product": "grapes", "quantity": {"value": 1500, "uom": "KGM"}}, grower),
    ]
    lines, prev = [], "0" * 64
    for seq, (statement, key) in enumerate(statements):
        line = jcs({"envelope": envelope(statement, key), "logged": t % (seq + 10), "prev": prev, "seq": seq})
        lines.append(line)
        prev = leaf(line).hex()
    with open(os.path.join(ledger, "entries.jsonl"), "wb") as f:
        f.write(b"".join(l + b"\n" for l in lines))
    with open(os.path.join(ledger, "checkpoint"), "w", encoding="utf-8") as f:
        f.write(checkpoint(ORIGIN, lines, log_key))


def check(ledger):
    with open(os.path.join(ledger, "entries.jsonl"), "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), "log does not end in a newline"
    lines = data[:-1].split(b"\n")
    prev, logged = "0" * 64, ""
    for seq, line in enumerate(lines):
        entry = json.loads(line)
        assert jcs(entry) == line, "entry %d is not canonical" % seq
        assert entry["seq"] == seq, "entry %d has seq %s" % (seq, entry["seq"])
        assert entry["prev"] == prev, "entry %d: prev mismatch" % seq
        assert entry["logged"] >= logged, "entry %d: logged goes backwards" % seq
        json.loads(base64.b64decode(entry["envelope"]["payload"]))
        prev, logged = leaf(line).hex(), entry["logged"]
    with open(os.path.join(ledger, "checkpoint"), encoding="utf-8") as f:
        body = f.read().split("\n\n")[0].split("\n")
    assert int(body[1]) == len(lines), "checkpoint size %s, log %d" % (body[1], len(lines))
    assert base64.b64decode(body[2]) == root([leaf(l) for l in lines]), "checkpoint root mismatch"
    print("ok: %d entries, chain and checkpoint root check out" % len(lines))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
