"""HMAC-SHA256 of the NIK computed inside DuckDB, set-based.

DuckDB has sha256 but no hmac. HMAC is two hashes over the key pads (RFC 2104):
    hmac(k, m) = sha256((k' xor opad) || sha256((k' xor ipad) || m))
where k' is the key zero-padded to the 64-byte block (hashed first when longer). The pads are
computed here in Python once and live only in a temporary table of the connection, so the key
never reaches raw.duckdb. A UDF would loop over rows in Python; this stays vectorised.
"""

from __future__ import annotations

import hashlib

import duckdb

BLOCK_SIZE = 64  # SHA-256 block size in bytes
PADS_TABLE = "pii_key_pads"


def key_pads(key: str) -> tuple[bytes, bytes]:
    """(inner pad, outer pad) of the HMAC key, exactly as Python's hmac module derives them."""
    raw = key.encode("utf-8")
    if len(raw) > BLOCK_SIZE:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(BLOCK_SIZE, b"\0")
    inner = bytes(b ^ 0x36 for b in raw)
    outer = bytes(b ^ 0x5C for b in raw)
    return inner, outer


def register_key(conn: duckdb.DuckDBPyConnection, key: str) -> None:
    inner, outer = key_pads(key)
    conn.execute(f"create or replace temp table {PADS_TABLE} (inner_pad blob, outer_pad blob)")
    conn.execute(f"insert into {PADS_TABLE} values (?, ?)", [inner, outer])


def hmac_sql(value_sql: str) -> str:
    """SQL expression: lowercase hex HMAC-SHA256 of the text `value_sql` (NULL stays NULL).
    Needs `register_key` on the same connection first."""
    inner = f"(select inner_pad from {PADS_TABLE})"
    outer = f"(select outer_pad from {PADS_TABLE})"
    return f"sha256({outer} || unhex(sha256({inner} || encode({value_sql}))))"
