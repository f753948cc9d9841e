"""Realistic defects, injected into a fraction of the rows of registration and provider files.

Every defective row carries exactly one defect, recorded with the contract rule ingestion must
report for it (rule names from the top of contracts/deliveries.yml). A defect that could break
two rules is avoided: e.g. a selected applicant is made "not eligible" (the implication rule)
rather than made selected without a decree date (which would also be `missing_required`).
Where a broken value makes later checks impossible (an unparseable date), the rule is the one
that fires first in the contract's order: malformed_row, missing_required, invalid_type, ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.calibration import allocate

Row = dict[str, object]


@dataclass(frozen=True)
class Kind:
    name: str
    column: str | None  # None: the whole row (duplicate, truncated line)
    rule: str
    change: Callable[[Row], object] | None = None  # None: duplicate the row
    when: str | None = None  # name of a row mask the row must satisfy


@dataclass(frozen=True)
class Planned:
    row: int  # 0-based index in the clean file
    kind: Kind


def _shift_iso(column: str, delta: int) -> Callable[[Row], object]:
    return lambda r: (dt.date.fromisoformat(str(r[column])) + dt.timedelta(days=delta)).isoformat()


def _shift_dmy(column: str, delta: int) -> Callable[[Row], object]:
    def change(r: Row) -> object:
        day = dt.datetime.strptime(str(r[column]), "%d/%m/%Y").date() + dt.timedelta(days=delta)
        return day.strftime("%d/%m/%Y")

    return change


def _flip_nik_day(r: Row) -> object:
    nik = str(r["nik"])
    day = int(nik[6:8])
    return nik[:6] + f"{day - 40 if day > 40 else day + 40:02d}" + nik[8:]


def _earlier_submission(r: Row) -> object:
    t = dt.datetime.strptime(str(r["waktu_daftar"]), "%Y-%m-%d %H:%M:%S")
    return (t - dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")


DUP = Kind("duplicate_row", None, "duplicate_row")
TRUNCATED = Kind("truncated_line", None, "malformed_row")

KINDS: dict[str, tuple[Kind, ...]] = {
    "applications": (
        DUP,
        Kind("malformed_nik", "nik", "invalid_nik", lambda r: str(r["nik"])[:-1]),
        Kind("nik_gender_mismatch", "nik", "nik_mismatch", _flip_nik_day),
        Kind("impossible_date", "tanggal_lahir", "invalid_type",
             lambda r: str(r["tanggal_lahir"])[:4] + "-02-31"),
        Kind("unknown_regency", "kode_kabkota", "unknown_code",
             lambda r: str(r["kode_provinsi"]) + "99"),
        Kind("missing_name", "nama_lengkap", "missing_required", lambda r: None),
        Kind("unknown_education", "pendidikan", "invalid_value", lambda r: "sarjana"),
        Kind("submitted_before_window", "waktu_daftar", "date_out_of_range", _earlier_submission),
    ),
    "selection": (
        DUP,
        Kind("missing_decree_date", "tanggal_penetapan", "missing_required", lambda r: None,
             "selected"),
        Kind("selected_not_eligible", "memenuhi_syarat", "invalid_value", lambda r: "tidak",
             "selected"),
        Kind("unknown_wave", "gelombang", "unknown_code", lambda r: "99"),
        Kind("decree_too_late", "tanggal_penetapan", "date_out_of_range",
             _shift_iso("tanggal_penetapan", 90), "selected"),
        Kind("not_a_boolean", "lolos_verifikasi", "invalid_type", lambda r: "mungkin"),
    ),
    "revocations": (
        DUP,
        Kind("unknown_reason", "alasan", "invalid_value", lambda r: "pindah_kerja"),
        Kind("missing_reason", "alasan", "missing_required", lambda r: None),
        Kind("date_before_programme", "tanggal_pencabutan", "invalid_value",
             lambda r: "2019-12-31"),
    ),
    "enrollments": (
        DUP,
        Kind("impossible_date", "tanggal_beli", "invalid_type",
             lambda r: "31/02/" + str(r["tanggal_beli"])[-4:]),
        Kind("completed_before_purchase", "tanggal_selesai", "date_out_of_range",
             _shift_dmy("tanggal_beli", -3), "done"),
        Kind("price_above_voucher", "harga", "amount_out_of_rules",
             lambda r: "1.500.000,00"),
        Kind("missing_completion_date", "tanggal_selesai", "missing_required", lambda r: None,
             "done"),
        Kind("unknown_status", "status", "invalid_value", lambda r: "lulus"),
        Kind("rating_out_of_range", "nilai_ulasan", "invalid_value", lambda r: "7", "rated"),
    ),
    "payments": (
        DUP,
        Kind("amount_not_in_rules", "jumlah", "amount_out_of_rules",
             lambda r: Decimal("650000.00")),
        Kind("unknown_channel", "kanal", "unknown_code", lambda r: "SHOPEEPAY"),
        Kind("channel_not_yet_active", "kanal", "date_out_of_range", lambda r: "DANA",
             "before_dana"),
        Kind("missing_paid_date", "tanggal_bayar", "missing_required", lambda r: None, "paid"),
    ),
    "surveys": (
        DUP,
        Kind("missing_working", "bekerja", "missing_required", lambda r: None),
        Kind("negative_income", "pendapatan_bulanan", "invalid_value",
             lambda r: Decimal("-50000.00")),
        Kind("unknown_survey_type", "jenis_survei", "invalid_value", lambda r: "wawancara"),
    ),
    "institutions": (
        DUP,
        Kind("unknown_province", "kode_provinsi", "unknown_code", lambda r: "99"),
        Kind("unknown_institution_type", "jenis_lembaga", "invalid_value", lambda r: "yayasan"),
    ),
    "ownership": (
        DUP,
        Kind("unknown_relation", "hubungan", "invalid_value", lambda r: "kerabat"),
    ),
    "courses": (
        DUP,
        Kind("zero_price", "harga", "invalid_value", lambda r: "0"),
        Kind("unknown_category", "kategori", "invalid_value", lambda r: "olahraga"),
        Kind("missing_title", "judul", "missing_required", lambda r: None),
        Kind("duration_too_short", "durasi_jam", "invalid_value", lambda r: "0.1"),
    ),
}  # fmt: skip


def plan(
    rng: np.random.Generator,
    entity: str,
    n_rows: int,
    rate: float,
    masks: dict[str, np.ndarray] | None = None,
    truncate: bool = False,
) -> list[Planned]:
    """Choose round(rate * n_rows) distinct rows and one defect kind for each."""
    kinds = KINDS.get(entity, ())
    total = round(rate * n_rows)
    if not kinds or total == 0:
        return []
    order = rng.permutation(len(kinds))
    counts = allocate(total, [1] * len(kinds))
    used = np.zeros(n_rows, dtype=bool)
    out: list[Planned] = []
    if truncate and n_rows > 2:
        row = n_rows // 2
        used[row] = True
        out.append(Planned(row, TRUNCATED))
    for slot, k in zip(order, counts, strict=True):
        kind = kinds[slot]
        ok = ~used
        if kind.when and masks is not None:
            ok &= masks[kind.when]
        candidates = np.flatnonzero(ok)
        chosen = rng.choice(candidates, min(k, len(candidates)), replace=False)
        used[chosen] = True
        out.extend(Planned(int(r), kind) for r in chosen)
    return sorted(out, key=lambda d: d.row)


def final_rows(planned: list[Planned]) -> list[int]:
    """1-based data row of each defect in the written file (copies follow their original)."""
    rows = []
    dups_before = 0
    for d in planned:
        final = d.row + dups_before + 1
        if d.kind is DUP:
            rows.append(final + 1)
            dups_before += 1
        else:
            rows.append(final)
    return rows


def apply(table: pa.Table, start: int, planned: list[Planned]) -> tuple[pa.Table, int | None]:
    """Apply the defects planned for rows [start, start + len(table)) of one chunk."""
    local = [d for d in planned if start <= d.row < start + table.num_rows]
    if not local:
        return table, None
    truncate = next((d.row - start for d in local if d.kind is TRUNCATED), None)
    changes = [d for d in local if d.kind.change is not None]
    by_column: dict[str, list[Planned]] = {}
    for d in changes:
        by_column.setdefault(str(d.kind.column), []).append(d)
    for column, items in by_column.items():
        idx = [d.row - start for d in items]
        rows = table.take(pa.array(idx)).to_pylist()
        new = [d.kind.change(r) for d, r in zip(items, rows, strict=True)]  # type: ignore[misc]
        position = table.schema.get_field_index(column)
        old = table.column(position).combine_chunks()
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[idx] = True
        values = pa.array(new, type=old.type)
        table = table.set_column(
            position, column, pc.replace_with_mask(old, pa.array(mask), values)
        )
    dups = [d.row - start for d in local if d.kind is DUP]
    if dups:
        repeat = np.ones(table.num_rows, dtype=np.int64)
        repeat[dups] = 2
        table = table.take(pa.array(np.repeat(np.arange(table.num_rows), repeat)))
    if truncate is not None:
        truncate += sum(1 for r in dups if r < truncate)
    return table, truncate
