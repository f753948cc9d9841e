"""Ingestion on small hand-made deliveries: formats, whole-file rejections, every row rule,
duplicates, pseudonymisation and the report. Each test breaks a valid file in one way."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import duckdb
import pytest

from ingestion.api import ingest
from ingestion.pseudonymise import hmac_sql, register_key
from ingestion.report import FileReport
from prakerja.cli import main
from prakerja.errors import UsageError
from prakerja.settings import DEMO_PII_KEY, Settings
from tests.fixtures.ingest.builders import (
    ENROLLMENT_COLUMNS,
    PAYMENT_COLUMNS,
    application,
    csv_text,
    enrollment,
    mark_synthetic,
    nik,
    payment,
    write,
)


def run(home: Path, inbox: Path | None = None) -> dict[str, FileReport]:
    reports = ingest(Settings.from_env(), inbox or home / "inbox")
    return {r.file: r for r in reports}


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def quarantine(home: Path) -> list[tuple]:
    return query(home, "select file, row_number, rule from audit.quarantine order by all")


@pytest.fixture()
def inbox(home: Path) -> Path:
    path = home / "inbox"
    mark_synthetic(path)
    return path


def apps(n: int = 4, **extra: dict[str, str]) -> list[dict[str, str]]:
    return [application(i) for i in range(1, n + 1)]


# ------------------------------------------------------------------ pseudonymisation


@pytest.mark.parametrize("key", ["k", DEMO_PII_KEY, "ü-kunci-rahasia-" * 8, "x" * 64, "y" * 65])
def test_sql_hmac_equals_python_hmac(key: str) -> None:
    values = ["3201014512900001", "3273010101800002", "", "ñ"]
    conn = duckdb.connect()
    register_key(conn, key)
    rows = conn.execute(
        f"select {hmac_sql('v')} from unnest(?) as t(v) order by v", [sorted(values)]
    ).fetchall()
    expected = [
        hmac.new(key.encode(), v.encode(), hashlib.sha256).hexdigest() for v in sorted(values)
    ]
    assert [r[0] for r in rows] == expected


def test_participant_key_and_derived_columns(home: Path, inbox: Path, monkeypatch) -> None:
    monkeypatch.setenv("PRAKERJA_PII_KEY", "secret-key")
    row = application(2)  # a woman: day of birth + 40 in the NIK
    write(inbox, "pendaftaran_gel01.csv", csv_text([row]))
    run(home)
    loaded = query(
        home,
        "select participant_key, birth_year, nik_province_code, jenis_kelamin "
        "from registration.applications",
    )
    expected_key = hmac.new(b"secret-key", row["nik"].encode(), hashlib.sha256).hexdigest()
    assert loaded == [(expected_key, int(row["tanggal_lahir"][:4]), "32", "P")]
    columns = {r[0] for r in query(home, "describe registration.applications")}
    assert not columns & {"nik", "nama_lengkap", "tanggal_lahir", "no_hp", "email", "alamat"}


def test_real_data_without_key_is_refused(home: Path) -> None:
    write(home / "inbox", "pendaftaran_gel01.csv", csv_text(apps()))  # no synthetic manifest
    with pytest.raises(UsageError, match="PRAKERJA_PII_KEY"):
        run(home)
    assert main(["ingest"]) == 2
    assert not (home / "raw.duckdb").exists()


def test_real_data_with_key_loads(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("PRAKERJA_PII_KEY", "another-key")
    write(home / "inbox", "pendaftaran_gel01.csv", csv_text(apps()))
    assert run(home)["pendaftaran_gel01.csv"].rows_loaded == 4
    assert query(home, "select distinct is_synthetic from audit.load_audit") == [(False,)]


# ------------------------------------------------------------------ what exports look like


@pytest.mark.parametrize(
    ("encoding", "newline", "trailing"),
    [
        ("utf-8-sig", "\n", ""),  # BOM
        ("utf-8", "\r\n", ""),  # CRLF
        ("utf-8-sig", "\r\n", "\r\n\r\n"),  # BOM, CRLF and stray blank lines
        ("utf-8", "\n", "\n\n\n"),  # blank trailing lines
    ],
)
def test_bom_crlf_and_blank_trailing_lines(
    home: Path, inbox: Path, encoding: str, newline: str, trailing: str
) -> None:
    rows = apps(5)
    path = write(inbox, "pendaftaran_gel01.csv", csv_text(rows), encoding=encoding, newline=newline)
    path.write_bytes(path.read_bytes() + trailing.encode())
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_read, report.rows_loaded, report.rows_rejected) == (
        "loaded",
        5,
        5,
        0,
    )
    ids = query(
        home, "select id_pendaftaran, _row_number from registration.applications order by 2"
    )
    assert ids == [(r["id_pendaftaran"], i) for i, r in enumerate(rows, start=1)]


def test_trimmed_equals_trim_on_every_code_point() -> None:
    """`trimmed` calls trim() only on values that are not ASCII or have a space at an end: it
    must equal trim() on every character at either end, alone, doubled and inside a value."""
    from ingestion.typing_sql import trimmed

    conn = duckdb.connect()
    conn.execute(
        "create table cp as select chr(cp::integer) as c from range(0, 1114112) t(cp) "
        "where cp not between 55296 and 57343"  # surrogates are not characters
    )
    conn.execute(
        "create table v as select unnest([c, c || 'a', 'a' || c, 'a' || c || 'b', c || c, "
        "' ' || c || 'x', 'x' || c || ' ']) as x from cp "
        "union all select unnest(['', ' ', 'a b', '  a  ', null])"
    )
    differs, total = conn.execute(
        f"select count(*) filter ({trimmed('x')} is distinct from trim(x)), count(*) from v"
    ).fetchall()[0]
    assert total > 7 * 1_100_000
    assert differs == 0
    # what trim() removes, so what the ASCII shortcut relies on: U+0020 is the one ASCII space
    spaces = conn.execute("select list(c order by c) from cp where trim(c) = ''").fetchall()[0][0]
    assert len(spaces) == 17 and [c for c in spaces if c.isascii()] == [" "]


def test_values_padded_with_unicode_spaces_load_trimmed(home: Path, inbox: Path) -> None:
    # A no-break space (U+00A0) and an ideographic space (U+3000) are trimmed like U+0020.
    rows = apps(3)
    rows[0]["kode_provinsi"] = "\u00a032"
    rows[1]["id_pendaftaran"] = "\u3000" + rows[1]["id_pendaftaran"]
    rows[2]["pendidikan"] = rows[2]["pendidikan"] + "\u2009"
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.rows_loaded, report.rule_counts) == (3, {})
    loaded = query(
        home,
        "select id_pendaftaran, kode_provinsi, pendidikan from registration.applications "
        "order by _row_number",
    )
    assert loaded == [
        (r["id_pendaftaran"].strip(), r["kode_provinsi"].strip(), r["pendidikan"].strip())
        for r in rows
    ]


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n")])
def test_empty_lines_before_the_header_are_skipped(
    home: Path, inbox: Path, encoding: str, newline: str
) -> None:
    """The header is the first non-empty line; a row's number is its line minus the header's."""
    rows = apps(4)
    lines = csv_text(rows).splitlines()
    lines[3] = lines[3] + ",extra"  # data row 3 has one field too many
    write(
        inbox,
        "pendaftaran_gel01.csv",
        newline * 2 + newline.join(lines) + newline,
        encoding=encoding,
    )
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_read, report.rows_loaded) == ("loaded", 4, 3)
    assert quarantine(home) == [("pendaftaran_gel01.csv", 3, "malformed_row")]
    loaded = query(home, "select _row_number, id_pendaftaran from registration.applications")
    assert sorted(loaded) == [(n, rows[n - 1]["id_pendaftaran"]) for n in (1, 2, 4)]
    assert "2 empty line(s) before the header were skipped" in report.notes[0]


@pytest.mark.parametrize("sep", ["\t", "|", ";"])
def test_tab_pipe_and_semicolon_separated_exports(home: Path, inbox: Path, sep: str) -> None:
    rows = apps(3)
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows, sep=sep))
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_loaded, report.rows_rejected) == ("loaded", 3, 0)
    assert query(home, "select count(distinct participant_key) from registration.applications") == [
        (3,)
    ]


def test_separator_ending_every_line_is_an_unnamed_empty_column(home: Path, inbox: Path) -> None:
    rows = apps(3)
    lines = [line + "," for line in csv_text(rows).splitlines()]
    lines[2] = lines[2] + "stray"  # data row 2 has a value under no column name
    write(inbox, "pendaftaran_gel01.csv", "\n".join(lines) + "\n")
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_read, report.rows_loaded) == ("loaded", 3, 2)
    reason = query(home, "select rule, reason from audit.quarantine")
    assert reason == [("malformed_row", reason[0][1])]
    assert "without a name" in reason[0][1] and "row 2" in report.errors[0]
    assert any("unnamed columns must be empty" in note for note in report.notes)


@pytest.mark.parametrize("with_malformed_row", [False, True])
def test_rows_of_separators_only_are_not_rows(
    home: Path, inbox: Path, with_malformed_row: bool
) -> None:
    """Excel writes emptied rows as a line of separators: like blank lines, they are skipped
    (and said in the notes), and the rows after them keep their line-based numbers."""
    rows = apps(4)
    empty = "," * (csv_text([]).count(","))
    lines = csv_text(rows).splitlines()
    if with_malformed_row:
        lines[4] = lines[4] + ",extra"  # data row 4 has one field too many
    lines[2:2] = [empty]  # line 3: rows 2-4 move to lines 4-6
    lines += [empty, empty.replace(",", " , "), empty]
    write(inbox, "pendaftaran_gel01.csv", "\n".join(lines) + "\n")
    report = run(home)["pendaftaran_gel01.csv"]
    bad = 1 if with_malformed_row else 0
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 4 - bad, bad)
    assert report.notes == [
        "pendaftaran_gel01.csv: 4 row(s) with every field empty (only separators) are not rows "
        "and were skipped"
    ]
    loaded = query(home, "select _row_number, id_pendaftaran from registration.applications")
    expected = [(1, rows[0]), (3, rows[1]), (4, rows[2]), (5, rows[3])][: 4 - bad]
    assert sorted(loaded) == [(n, r["id_pendaftaran"]) for n, r in expected]
    if with_malformed_row:
        assert quarantine(home) == [("pendaftaran_gel01.csv", 5, "malformed_row")]


def test_title_row_above_the_header_is_named_in_the_error(home: Path, inbox: Path) -> None:
    write(inbox, "pendaftaran_gel01.csv", "Data Pendaftaran Gelombang 1\n" + csv_text(apps()))
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.file_rule) == ("rejected", "missing_column")
    assert "the header looks to be 1 row(s) lower" in report.errors[0]


def test_non_utf8_error_names_the_line(home: Path, inbox: Path) -> None:
    rows = apps(3)
    rows[1]["nama_lengkap"] = "José"
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows), encoding="cp1252")
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.file_rule) == ("rejected", "unreadable_file")
    assert "not UTF-8 (line 3," in report.errors[0]


def test_day_first_dates_with_dashes(home: Path, inbox: Path) -> None:
    row = application(1)
    year, month, day = row["tanggal_lahir"].split("-")
    submitted = row["waktu_daftar"]
    row["tanggal_lahir"] = f"{day}-{month}-{year}"
    row["waktu_daftar"] = f"{submitted[8:10]}-{submitted[5:7]}-{submitted[:4]}{submitted[10:16]}"
    write(inbox, "pendaftaran_gel01.csv", csv_text([row]))
    assert run(home)["pendaftaran_gel01.csv"].rows_loaded == 1
    assert query(
        home,
        "select birth_year, strftime(waktu_daftar, '%Y-%m-%d %H:%M') "
        "from registration.applications",
    ) == [(int(year), submitted[:16])]


def test_summary_in_a_log_keeps_file_names_and_prints_notes(
    home: Path, inbox: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The nightly run writes to a log, not a terminal: nothing may be cut to 80 columns."""
    name = "pendaftaran_gel01_ekspor_ulang_dari_sistem_pmo_versi_final.csv"
    write(inbox, name, "\n" + csv_text(apps()))
    assert main(["ingest"]) == 0
    out, err = capfd.readouterr()
    assert name in out
    assert (
        f"note: {name}: 1 empty line(s) before the header were skipped; row numbers count "
        "from the header on line 2" in err
    )


def test_semicolon_decimal_comma_and_ddmmyyyy(home: Path, inbox: Path) -> None:
    rows = [
        payment(1, jumlah="600.000,00", tanggal_jadwal="20/05/2020", tanggal_bayar="21/05/2020"),
        payment(2, jumlah="600.000", tanggal_jadwal="01/06/2020", tanggal_bayar=""),
    ]
    rows[1].update(status="gagal", alasan_gagal="rekening_tidak_valid")
    write(inbox, "pembayaran_gel01.csv", csv_text(rows, PAYMENT_COLUMNS, sep=";"), newline="\r\n")
    enrollments = [
        enrollment(1, harga="999.999,50", tanggal_beli="20/04/2020", tanggal_selesai="25/04/2020")
    ]
    write(inbox, "transaksi_pelatihan_gel01.csv", csv_text(enrollments, ENROLLMENT_COLUMNS, ";"))
    reports = run(home)
    assert all(r.rows_rejected == 0 for r in reports.values()), reports
    paid = query(
        home,
        "select cast(jumlah as varchar), tanggal_jadwal::varchar, tanggal_bayar::varchar "
        "from registration.payments order by id_pembayaran",
    )
    assert paid == [("600000.00", "2020-05-20", "2020-05-21"), ("600000.00", "2020-06-01", None)]
    assert query(home, "select cast(harga as varchar) from registration.enrollments") == [
        ("999999.50",)
    ]


@pytest.mark.parametrize("sep", [",", ";"])
def test_amounts_in_rupiah_display_format(home: Path, inbox: Path, sep: str) -> None:
    amounts = ["Rp600.000", "Rp 600.000,00", "IDR 600000", "rp. 600.000"]
    rows = [payment(i, jumlah=amount) for i, amount in enumerate(amounts, start=1)]
    write(inbox, "pembayaran_gel01.csv", csv_text(rows, PAYMENT_COLUMNS, sep=sep))
    report = run(home)["pembayaran_gel01.csv"]
    assert (report.rows_loaded, report.rows_rejected) == (4, 0), report.errors
    assert query(home, "select distinct cast(jumlah as varchar) from registration.payments") == [
        ("600000.00",)
    ]


@pytest.mark.parametrize(
    ("sep", "termin", "loaded"),
    [
        (",", "2", 2),
        (",", "2.0", 2),  # a float column exported by a spreadsheet
        (";", "2,0", 2),
        (",", "1.5", None),  # DuckDB's cast alone would load 2
        (",", ".5", None),  # and this 1
        (",", "0x2", None),  # and this 2
        (",", "2.000", None),  # 2 or 2000: not guessed
        (";", "2,000", None),
    ],
)
def test_integers_are_whole_numbers_never_rounded(
    home: Path, inbox: Path, sep: str, termin: str, loaded: int | None
) -> None:
    rows = [payment(1, termin=termin)]
    write(inbox, "pembayaran_gel01.csv", csv_text(rows, PAYMENT_COLUMNS, sep=sep))
    run(home)
    if loaded is None:
        assert quarantine(home) == [("pembayaran_gel01.csv", 1, "invalid_type")]
        assert query(home, "select count(*) from registration.payments") == [(0,)]
    else:
        assert quarantine(home) == []
        assert query(home, "select termin from registration.payments") == [(loaded,)]


@pytest.mark.parametrize(
    ("amount", "loaded"),
    [
        ("600,000.00", "600000.00"),  # English: read as Indonesian it would be 600.00
        ("Rp600,000.00", "600000.00"),
        ("1,250,000", None),  # English, and then above the tranche: amount_out_of_rules
        ("600,000", None),  # 600 or 600000 in a comma-separated file: not guessed
        ("600000,00", "600000.00"),  # a decimal comma
    ],
)
def test_amounts_with_english_thousands_commas(
    home: Path, inbox: Path, amount: str, loaded: str | None
) -> None:
    write(inbox, "pembayaran_gel01.csv", csv_text([payment(1, jumlah=amount)], PAYMENT_COLUMNS))
    run(home)
    paid = query(home, "select cast(jumlah as varchar) from registration.payments")
    if loaded is None:
        rule = "amount_out_of_rules" if amount == "1,250,000" else "invalid_type"
        assert quarantine(home) == [("pembayaran_gel01.csv", 1, rule)]
        assert paid == []
    else:
        assert quarantine(home) == []
        assert paid == [(loaded,)]


def test_regency_code_in_kemendagri_dotted_notation(home: Path, inbox: Path) -> None:
    rows = apps(2)
    code = rows[0]["kode_kabkota"]
    rows[0]["kode_kabkota"] = f"{code[:2]}.{code[2:]}"  # as Kemendagri writes it: "32.01"
    rows[1]["kode_kabkota"] = f"{code[:2]}.{code[2:]}.01"  # a district, not a regency
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    run(home)
    assert quarantine(home) == [("pendaftaran_gel01.csv", 2, "unknown_code")]
    assert query(home, "select kode_kabkota from registration.applications") == [(code,)]


def test_single_letter_t_is_not_a_boolean(home: Path, inbox: Path) -> None:
    """A lone T is Tidak (no) in an Indonesian export and True in an English one: not guessed."""
    rows = apps(2)
    rows[0]["disabilitas"] = "T"
    rows[1]["disabilitas"] = "tidak"
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    run(home)
    assert quarantine(home) == [("pendaftaran_gel01.csv", 1, "invalid_type")]
    assert query(home, "select disabilitas from registration.applications") == [(False,)]


def test_sixteen_digit_nik_is_never_read_as_a_number(home: Path, inbox: Path) -> None:
    # Aceh (11): a NIK that a sniffing reader would turn into a BIGINT (and a float in Excel).
    base = application(1)
    year, month, day = (int(x) for x in base["tanggal_lahir"].split("-"))
    row = application(
        1,
        nik=nik(day, month, year, False, 1, regency="1101"),
        kode_provinsi="11",
        kode_kabkota="1101",
    )
    write(inbox, "pendaftaran_gel01.csv", csv_text([row]))
    assert run(home)["pendaftaran_gel01.csv"].rows_loaded == 1
    expected = hmac.new(DEMO_PII_KEY.encode(), row["nik"].encode(), hashlib.sha256).hexdigest()
    assert query(
        home, "select participant_key, nik_province_code from registration.applications"
    ) == [(expected, "11")]


def test_parquet_delivery(home: Path, inbox: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [payment(i) for i in range(1, 4)]
    rows[2]["jumlah"] = "650000"  # amount_out_of_rules
    table = pa.table({c: [r[c] or None for r in rows] for c in PAYMENT_COLUMNS})
    table = table.append_column("Catatan", pa.array(["x", "y", "z"]))  # not in the contract
    pq.write_table(table, inbox / "pembayaran_gel01.parquet")
    report = run(home)["pembayaran_gel01.parquet"]
    assert (report.rows_read, report.rows_loaded) == (3, 2)
    assert quarantine(home) == [("pembayaran_gel01.parquet", 3, "amount_out_of_rules")]
    assert report.notes == [
        "pembayaran_gel01.parquet: columns not in the contract were ignored: Catatan"
    ]


def test_typed_parquet_delivery(home: Path, inbox: Path) -> None:
    """Parquet columns already in the contract's type are checked in that type (no text round
    trip) with the same rules, reasons and quarantine records as text."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [payment(i) for i in range(1, 6)]
    rows[1]["termin"] = "9"  # invalid_value: above 4
    rows[2]["tanggal_jadwal"] = ""  # missing_required
    rows[3]["termin"] = str(2**40)  # invalid_type: does not fit the contract's integer
    rows[4]["jumlah"] = "650000"  # amount_out_of_rules

    def date(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    table = pa.table(
        {
            **{c: [r[c] or None for r in rows] for c in PAYMENT_COLUMNS},
            "termin": pa.array([int(r["termin"]) for r in rows], pa.int64()),
            "jumlah": pa.array([Decimal(r["jumlah"]) for r in rows], pa.decimal128(18, 2)),
            "tanggal_jadwal": pa.array([date(r["tanggal_jadwal"]) for r in rows], pa.date32()),
            "tanggal_bayar": pa.array([date(r["tanggal_bayar"]) for r in rows], pa.date32()),
        }
    )
    pq.write_table(table, inbox / "pembayaran_gel01.parquet")
    report = run(home)["pembayaran_gel01.parquet"]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 1, 4)
    assert quarantine(home) == [
        ("pembayaran_gel01.parquet", 2, "invalid_value"),
        ("pembayaran_gel01.parquet", 3, "missing_required"),
        ("pembayaran_gel01.parquet", 4, "invalid_type"),
        ("pembayaran_gel01.parquet", 5, "amount_out_of_rules"),
    ]
    assert "column termin, value '1099511627776': not a valid integer" in report.errors[2]
    records = query(home, "select record from audit.quarantine order by row_number")
    first = json.loads(records[0][0])
    assert (first["termin"], first["jumlah"], first["tanggal_jadwal"]) == (
        "9",
        "600000.00",
        "2020-05-20",
    )
    loaded = query(
        home, "select termin, jumlah, tanggal_jadwal, tanggal_bayar from registration.payments"
    )
    assert loaded == [(1, Decimal("600000.00"), dt.date(2020, 5, 20), dt.date(2020, 5, 21))]


def test_which_parquet_types_are_checked_natively() -> None:
    from ingestion.contract import load_contracts
    from ingestion.typing_sql import native_fits

    payments = next(e for e in load_contracts() if e.entity == "payments")
    termin, jumlah, jadwal = (payments.column(n) for n in ("termin", "jumlah", "tanggal_jadwal"))
    assert native_fits(termin, "BIGINT") and native_fits(termin, "UINTEGER")
    assert native_fits(jumlah, "DECIMAL(18,2)") and native_fits(jumlah, "INTEGER")
    assert native_fits(jadwal, "DATE")
    # Doubles round, timestamps carry a time: those go through text, as CSV values do.
    assert not native_fits(jumlah, "DOUBLE") and not native_fits(termin, "DOUBLE")
    assert not native_fits(jadwal, "TIMESTAMP") and not native_fits(jadwal, "VARCHAR")


def test_xlsx_catalogue(home: Path, inbox: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = [
        "kode_pelatihan",
        "kode_platform",
        "kode_lembaga",
        "judul",
        "kategori",
        "moda",
        "harga",
        "durasi_jam",
        "tanggal_tayang",
        "tanggal_turun",
    ]
    sheet.append(header)
    import datetime as dt

    sheet.append(
        [
            "CRS-001",
            "TOKOPEDIA",
            "LMB-01",
            "Excel untuk UMKM",
            "keuangan",
            "daring",
            150000,
            6.5,
            dt.datetime(2020, 4, 1),
            None,
        ]
    )
    sheet.append([None] * len(header))  # an emptied row: skipped, not a row
    sheet.append(
        [
            "CRS-002",
            "TOKOPEDIA",
            "LMB-01",
            "Menjahit",
            "manufaktur",
            "luring",
            200000,
            12,
            dt.datetime(2020, 4, 2),
            dt.datetime(2020, 12, 31),
        ]
    )
    sheet.title = "Data"
    notes = workbook.create_sheet("Keterangan", 0)  # a notes sheet first, as exports often have
    notes.append(["Katalog pelatihan per 1 Mei 2020"])
    workbook.save(inbox / "katalog_pelatihan.xlsx")
    report = run(home)["katalog_pelatihan.xlsx"]
    assert (report.status, report.rows_read, report.rows_loaded) == ("loaded", 2, 2)
    assert report.notes == [
        "katalog_pelatihan.xlsx: 1 empty row(s) between the rows were skipped",
        "katalog_pelatihan.xlsx: rows read from sheet 'Data' (the first with the header)",
    ]
    assert query(
        home,
        "select _row_number, cast(durasi_jam as varchar), tanggal_turun::varchar "
        "from providers.courses order by 1",
    ) == [(1, "6.50", None), (3, "12.00", "2020-12-31")]


# ------------------------------------------------------------------ whole-file rejections


def _reject_case(inbox: Path, case: str) -> str:
    """Write one unreadable delivery; return its name."""
    if case == "missing_column":
        text = csv_text(
            apps(), tuple(c for c in csv_text([]).split("\n")[0].split(",") if c != "gelombang")
        )
        write(inbox, "pendaftaran_gel03.csv", text)
        return "pendaftaran_gel03.csv"
    if case == "empty_file":
        write(inbox, "seleksi_gel01.csv", "")
        return "seleksi_gel01.csv"
    if case == "unreadable_file":  # UTF-16 export
        write(inbox, "pendaftaran_gel04.csv", csv_text(apps()), encoding="utf-16")
        return "pendaftaran_gel04.csv"
    if case == "unreadable_file_latin1":
        text = csv_text([application(1, nama_lengkap="José Müller")])
        write(inbox, "pendaftaran_gel05.csv", text, encoding="latin-1")
        return "pendaftaran_gel05.csv"
    if case == "wrong_format":  # a Parquet file named .csv
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"a": [1]}), inbox / "pembayaran_gel02.csv")
        return "pembayaran_gel02.csv"
    if case == "wrong_format_not_in_contract":  # revocations come as CSV only
        (inbox / "pencabutan_gel01.parquet").write_bytes(b"PAR1....PAR1")
        return "pencabutan_gel01.parquet"
    if case == "unknown_file":
        write(inbox, "laporan_bulanan.csv", "a,b\n1,2\n")
        return "laporan_bulanan.csv"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "missing_column",
        "empty_file",
        "unreadable_file",
        "unreadable_file_latin1",
        "wrong_format",
        "wrong_format_not_in_contract",
        "unknown_file",
    ],
)
def test_unreadable_file_is_rejected_alone(home: Path, inbox: Path, case: str, tmp_path) -> None:
    bad = _reject_case(inbox, case)
    write(inbox, "pendaftaran_gel01.csv", csv_text(apps()))
    report_path = tmp_path / "report.json"
    assert main(["ingest", "--report-json", str(report_path)]) == 1
    reports = {r["file"]: r for r in json.loads(report_path.read_text())}
    rule = case.removesuffix("_latin1").removesuffix("_not_in_contract")
    assert reports[bad]["status"] == "rejected"
    assert reports[bad]["file_rule"] == rule
    assert bad in reports[bad]["errors"][0]
    assert reports["pendaftaran_gel01.csv"]["status"] == "loaded"
    assert reports["pendaftaran_gel01.csv"]["rows_loaded"] == 4
    audit = query(home, f"select status, rows_read from audit.load_audit where file = '{bad}'")
    assert audit == [("rejected", 0)]


def test_header_only_file_loads_zero_rows(home: Path, inbox: Path) -> None:
    write(inbox, "pendaftaran_gel01.csv", csv_text([]))
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_read) == ("loaded", 0)


def test_missing_inbox_is_a_usage_error(home: Path) -> None:
    assert main(["ingest", str(home / "nowhere")]) == 2


# ------------------------------------------------------------------ row rules


def _row_rule_cases() -> list[tuple[str, str, dict[str, str]]]:
    """(rule, file kind, overrides of one otherwise valid row)."""
    return [
        ("missing_required", "app", {"jenis_kelamin": ""}),
        ("invalid_type", "app", {"tanggal_lahir": "31/02/1990"}),
        ("invalid_type", "app", {"disabilitas": "mungkin"}),
        ("invalid_type", "app", {"tanggal_lahir": "19900-01-01"}),
        ("invalid_type", "app", {"waktu_daftar": "12/04/2020 25:61"}),
        ("invalid_value", "app", {"pendidikan": "sd"}),
        ("invalid_value", "app", {"id_pendaftaran": "app 7"}),
        ("invalid_value", "app", {"kode_kabkota": "3301"}),  # not in province 32
        ("unknown_code", "app", {"kode_provinsi": "99"}),
        ("unknown_code", "app", {"gelombang": "99"}),
        ("unknown_code", "pay", {"kanal": "PAYPAL"}),
        ("invalid_nik", "app", {"nik": "320101450290000"}),  # 15 digits
        ("invalid_nik", "app", {"nik": "9901014502900001"}),  # unknown province
        ("invalid_nik", "app", {"nik": "3201013102900001"}),  # 31 February
        ("nik_mismatch", "app", {"jenis_kelamin": "P"}),  # row 3 is a man: no +40 in the NIK
        ("date_out_of_range", "app", {"waktu_daftar": "2020-05-02 08:00:00"}),
        ("date_out_of_range", "enr", {"tanggal_selesai": "2020-04-10"}),
        ("date_out_of_range", "pay", {"kanal": "DANA"}),  # DANA only from 14 Oct 2020
        ("amount_out_of_rules", "pay", {"jumlah": "700000"}),
        (
            "amount_out_of_rules",
            "pay",
            {"termin": "4", "jenis": "insentif_survei", "jumlah": "50000"},
        ),
        ("amount_out_of_rules", "enr", {"harga": "1500000"}),
        ("missing_required", "pay", {"status": "gagal", "tanggal_bayar": ""}),
        ("invalid_value", "enr", {"nilai_ulasan": "6"}),
    ]


@pytest.mark.parametrize(("rule", "kind", "overrides"), _row_rule_cases())
def test_each_row_rule(home: Path, inbox: Path, rule: str, kind: str, overrides) -> None:
    build, columns, name = {
        "app": (application, None, "pendaftaran_gel01.csv"),
        "pay": (payment, PAYMENT_COLUMNS, "pembayaran_gel01.csv"),
        "enr": (enrollment, ENROLLMENT_COLUMNS, "transaksi_pelatihan_gel01.csv"),
    }[kind]
    rows = [build(i) for i in range(1, 6)]
    rows[2] = build(3, **overrides)
    text = csv_text(rows) if columns is None else csv_text(rows, columns)
    write(inbox, name, text)
    report = run(home)[name]
    assert quarantine(home) == [(name, 3, rule)]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 4, 1)
    reason = query(home, "select reason from audit.quarantine")[0][0]
    assert reason.startswith(f"{name} row 3")


def test_truncated_line_is_malformed_and_row_numbers_stay_right(home: Path, inbox: Path) -> None:
    rows = apps(6)
    lines = csv_text(rows).splitlines()
    lines[3] = lines[3][: len(lines[3]) // 2]  # data row 3 cut in the middle
    lines[5] = lines[5] + ",extra"  # data row 5 has one field too many
    write(inbox, "pendaftaran_gel01.csv", "\n".join(lines) + "\n")
    report = run(home)["pendaftaran_gel01.csv"]
    assert quarantine(home) == [
        ("pendaftaran_gel01.csv", 3, "malformed_row"),
        ("pendaftaran_gel01.csv", 5, "malformed_row"),
    ]
    loaded = query(
        home, "select _row_number, id_pendaftaran from registration.applications order by 1"
    )
    assert loaded == [(n, rows[n - 1]["id_pendaftaran"]) for n in (1, 2, 4, 6)]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 4, 2)
    # The line itself may hold PII: it is never stored.
    record = query(home, "select record, reason from audit.quarantine")[0]
    assert rows[2]["nama_lengkap"] not in str(record)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_mid_file_keep_row_numbers_on_their_lines(
    home: Path, inbox: Path, newline: str
) -> None:
    """A row's number is its line in the file minus the header, blank lines or not: a reader
    finds quarantined row 6 on line 7. Blank lines are not rows (and not lost rows)."""
    rows = apps(5)
    lines = csv_text(rows).splitlines()
    lines[4] = lines[4] + ",extra"  # data row 4 has one field too many
    lines[2:2] = [""]  # a blank line where row 2 was: rows 2-5 move to lines 4-7
    lines[5:5] = ["", ""]  # two more before row 4 (now on line 8... see below)
    write(inbox, "pendaftaran_gel01.csv", newline.join(lines) + newline)
    # lines: 1 header, 2 row1, 3 blank, 4 row2, 5 row3, 6 blank, 7 blank, 8 row4, 9 row5
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 4, 1)
    assert quarantine(home) == [("pendaftaran_gel01.csv", 7, "malformed_row")]
    loaded = query(
        home, "select _row_number, id_pendaftaran from registration.applications order by 1"
    )
    assert loaded == [
        (1, rows[0]["id_pendaftaran"]),
        (3, rows[1]["id_pendaftaran"]),
        (4, rows[2]["id_pendaftaran"]),
        (8, rows[4]["id_pendaftaran"]),
    ]


def test_lines_of_spaces_only_are_empty_lines(home: Path, inbox: Path) -> None:
    rows = apps(3)
    lines = csv_text(rows).splitlines()
    lines[2:2] = ["   "]  # line 3: rows 2-3 move to lines 4-5
    lines += ["\t ", " "]
    write(inbox, "pendaftaran_gel01.csv", "\n".join(lines) + "\n")
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 3, 0)
    loaded = query(home, "select _row_number, id_pendaftaran from registration.applications")
    assert sorted(loaded) == [
        (n, r["id_pendaftaran"]) for n, r in zip((1, 3, 4), rows, strict=True)
    ]
    assert report.notes == [
        "pendaftaran_gel01.csv: 3 line(s) holding only spaces are not rows and were skipped"
    ]


def test_unterminated_quote_rejects_the_file_instead_of_dropping_lines(
    home: Path, inbox: Path, tmp_path
) -> None:
    """DuckDB drops every line after a quote that never closes; the file must not load short."""
    rows = [application(i, alamat="Jl. Merdeka") for i in range(11, 16)]  # no quoted fields
    lines = csv_text(rows).splitlines()
    name = rows[1]["nama_lengkap"]
    lines[2] = lines[2].replace(name, '"' + name, 1)  # data row 2 opens a quote, never closed
    write(inbox, "pendaftaran_gel02.csv", "\n".join(lines) + "\n")
    write(inbox, "pendaftaran_gel01.csv", csv_text(apps()))
    report_path = tmp_path / "report.json"
    assert main(["ingest", "--report-json", str(report_path)]) == 1
    reports = {r["file"]: r for r in json.loads(report_path.read_text())}
    bad = reports["pendaftaran_gel02.csv"]
    assert (bad["status"], bad["file_rule"], bad["rows_read"]) == ("rejected", "unreadable_file", 0)
    assert "pendaftaran_gel02.csv: line 3 opens a quote that is never closed" in bad["errors"][0]
    assert reports["pendaftaran_gel01.csv"]["rows_loaded"] == 4
    assert query(home, "select count(*) from registration.applications") == [(4,)]


def test_quoted_line_break_is_one_row_not_a_lost_line(home: Path, inbox: Path) -> None:
    rows = apps(3)
    rows[1]["alamat"] = "Jl. Merdeka No. 2,\nBogor"  # a legitimately quoted line break
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    report = run(home)["pendaftaran_gel01.csv"]
    assert (report.status, report.rows_read, report.rows_loaded) == ("loaded", 3, 3)


def test_a_file_written_to_after_it_was_scanned_ahead_is_scanned_again(
    home: Path, inbox: Path
) -> None:
    # ingest scans the next file while it loads the current one; a delivery still being written
    # then must be checksummed and counted as it is read, not as it was scanned.
    write(inbox, "pendaftaran_gel01.csv", csv_text([application(1)]))
    second = write(inbox, "pendaftaran_gel02.csv", csv_text([application(2)]))
    grown = csv_text([application(i) for i in (2, 3, 4)])

    def grow_second(report: FileReport) -> None:
        if report.file == "pendaftaran_gel01.csv":
            second.write_text(grown, encoding="utf-8")

    reports = {r.file: r for r in ingest(Settings.from_env(), inbox, on_file=grow_second)}
    late = reports["pendaftaran_gel02.csv"]
    assert late.file_checksum == hashlib.sha256(grown.encode("utf-8")).hexdigest()
    assert (late.rows_read, late.rows_loaded) == (3, 3)


def test_duplicate_row_and_duplicate_key_first_occurrence_wins(home: Path, inbox: Path) -> None:
    rows = apps(4)
    rows.append(dict(rows[1]))  # row 5: exact copy of row 2
    rows.append(application(6, id_pendaftaran=rows[0]["id_pendaftaran"]))  # row 6: key of row 1
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    run(home)
    assert quarantine(home) == [
        ("pendaftaran_gel01.csv", 5, "duplicate_row"),
        ("pendaftaran_gel01.csv", 6, "duplicate_key"),
    ]
    first = query(
        home,
        "select _row_number from registration.applications "
        f"where id_pendaftaran = '{rows[0]['id_pendaftaran']}'",
    )
    assert first == [(1,)]


def test_keys_equal_once_typed_are_duplicate_keys(home: Path, inbox: Path) -> None:
    """Duplicates are found on the key as loaded: a padded id is the same application, and in
    the BPS table tahun 2020 and 2020.0 are the same year."""
    rows = apps(2)
    rows.append(application(3, id_pendaftaran=f" {rows[0]['id_pendaftaran']} "))
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    write(
        inbox,
        "bps_angkatan_kerja_provinsi_2020.csv",
        "kode_bps,provinsi,tahun,periode,angkatan_kerja,penganggur\n"
        "11,Aceh,2020,Aug,2527000,167000\n"
        "11,Aceh,2020.0,Aug,2527001,167000\n",
    )
    reports = run(home)
    assert reports["pendaftaran_gel01.csv"].rule_counts == {"duplicate_key": 1}
    assert reports["bps_angkatan_kerja_provinsi_2020.csv"].rule_counts == {"duplicate_key": 1}


def test_key_loaded_by_an_earlier_delivery_is_duplicate_key(home: Path, inbox: Path) -> None:
    write(inbox, "pendaftaran_gel01.csv", csv_text(apps(3)))
    run(home)
    write(inbox, "pendaftaran_gel01_koreksi.csv", csv_text([application(3), application(9)]))
    report = run(home)["pendaftaran_gel01_koreksi.csv"]
    assert (report.rows_loaded, report.rule_counts) == (1, {"duplicate_key": 1})
    assert query(home, "select count(*) from registration.applications") == [(4,)]


def test_same_file_delivered_twice_loads_once(home: Path, inbox: Path, tmp_path) -> None:
    text = csv_text(apps(3))
    write(inbox, "pendaftaran_gel01.csv", text)
    first = run(home)["pendaftaran_gel01.csv"]
    write(inbox, "pendaftaran_gel01_kirim_ulang.csv", text)  # same bytes, other name
    report_path = tmp_path / "r.json"
    assert main(["ingest", "--report-json", str(report_path)]) == 0
    statuses = {r["file"]: r["status"] for r in json.loads(report_path.read_text())}
    assert statuses == {
        "pendaftaran_gel01.csv": "duplicate",
        "pendaftaran_gel01_kirim_ulang.csv": "duplicate",
    }
    assert first.status == "loaded"
    assert query(home, "select count(*) from registration.applications") == [(3,)]
    assert query(home, "select count(*) from audit.quarantine") == [(0,)]


def test_audit_counts_reconcile_and_report_json_shape(home: Path, inbox: Path, tmp_path) -> None:
    rows = apps(5)
    rows[1]["nik"] = "12"
    write(inbox, "pendaftaran_gel01.csv", csv_text(rows))
    write(inbox, "pembayaran_gel01.csv", csv_text([payment(1), payment(1)], PAYMENT_COLUMNS))
    report_path = tmp_path / "r.json"
    assert main(["ingest", "--report-json", str(report_path)]) == 0
    for item in json.loads(report_path.read_text()):
        assert {
            "file",
            "source",
            "status",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "errors",
        } <= set(item)
        assert item["rows_read"] == item["rows_loaded"] + item["rows_rejected"]
        assert all(isinstance(e, str) for e in item["errors"])
    audit = query(
        home, "select rows_read, rows_loaded, rows_rejected, errors from audit.load_audit"
    )
    for read, loaded, rejected, errors in audit:
        assert read == loaded + rejected
        assert len(json.loads(errors)) == rejected
    tables = query(home, "select count(*) from registration.applications")[0][0]
    quarantined = query(
        home, "select count(*) from audit.quarantine where entity = 'applications'"
    )[0][0]
    assert tables + quarantined == 5


# ------------------------------------------------------------------ contract consistency


def test_rule_names_are_the_contracts() -> None:
    import re

    from ingestion.contract import FILE_RULES, ROW_RULES
    from prakerja.paths import CONTRACTS_FILE

    header = CONTRACTS_FILE.read_text(encoding="utf-8").split("\nversion:")[0]
    rows_text, files_text = header.split("Rules a rejected row can carry:")[1].split(
        "A whole file is rejected with:"
    )
    assert set(re.findall(r"[a-z_]{4,}", rows_text.replace("#", ""))) == set(ROW_RULES)
    assert set(re.findall(r"[a-z_]{4,}", files_text.replace("#", ""))) == set(FILE_RULES)


def test_every_contract_row_check_is_implemented() -> None:
    from ingestion.contract import ROW_RULES, load_contracts
    from ingestion.row_checks import CHECKS

    for entity in load_contracts():
        implemented = {check.rule for check in CHECKS.get(entity.entity, [])}
        assert set(entity.row_checks) == implemented, entity.entity
        assert implemented <= set(ROW_RULES)
