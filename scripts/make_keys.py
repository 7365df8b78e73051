#!/usr/bin/env python3
"""Create the keys `make run` needs under var/ when they are missing (never overwrites one).

var/secret_key (Django), var/field_encryption_key (Fernet), var/blind_index_key. In production,
set SECRET_KEY, FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY in the environment instead, and keep the
encryption keys with the backups' keys: data encrypted with a lost key cannot be read.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

var = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
var.mkdir(parents=True, exist_ok=True)
wanted = {
    "secret_key": lambda: secrets.token_urlsafe(50),
    "field_encryption_key": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "blind_index_key": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "backup_key": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}
for name, make in wanted.items():
    path = var / name
    if not path.exists() or not path.read_text().strip():
        path.write_text(make() + "\n")
        path.chmod(0o600)
        print(f"created {path}", file=sys.stderr)
