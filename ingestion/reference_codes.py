"""Code lists and calendars the validation joins against, loaded into temporary DuckDB tables.

Everything comes from files in the repository (reference/ and the dbt seeds), so that a code list
change is one edit in one place, never a constant in SQL.
"""

from __future__ import annotations

import duckdb

from prakerja.paths import REFERENCE_DIR, SEEDS_DIR

KEMENDAGRI_FILES = ("kemendagri_2020_provinsi_kabkota.csv", "kemendagri_2025_provinsi_kabkota.csv")

# Temporary table holding the valid codes of each contract code_list, in column `code`.
CODE_LIST_TABLES: dict[str, str] = {
    "kemendagri_province": "ref_kemendagri_province",
    "kemendagri_regency": "ref_kemendagri_regency",
    "bps_province": "ref_bps_province",
    "wave": "ref_wave",
    "payment_channel": "ref_payment_channel",
}


def _csv(path: str) -> str:
    # Seeds are read as text and cast explicitly: codes such as "11" must stay text.
    return f"read_csv('{path}', header = true, all_varchar = true)"


def register_reference_tables(conn: duckdb.DuckDBPyConnection) -> None:
    kemendagri = " union all ".join(
        f"select trim(kode) as code, lower(trim(level)) as level "
        f"from {_csv(str(REFERENCE_DIR / f))}"
        for f in KEMENDAGRI_FILES
    )
    conn.execute(
        f"""
        create or replace temp table ref_kemendagri as {kemendagri};
        create or replace temp table ref_kemendagri_province as
            select distinct code from ref_kemendagri where level = 'provinsi';
        create or replace temp table ref_kemendagri_regency as
            select distinct code from ref_kemendagri where level in ('kabupaten', 'kota');
        create or replace temp table ref_bps_province as
            select trim(kode_bps) as code, trim(nama_provinsi) as name
            from {_csv(str(SEEDS_DIR / "province_crosswalk.csv"))};
        create or replace temp table ref_wave as
            select
                cast(wave_number as integer) as code,
                scheme,
                cast(registration_open_date as date) as registration_open_date,
                cast(registration_close_date as date) as registration_close_date
            from {_csv(str(SEEDS_DIR / "wave_calendar.csv"))};
        create or replace temp table ref_payment_channel as
            select trim(channel_code) as code, cast(active_from as date) as active_from
            from {_csv(str(SEEDS_DIR / "payment_channels.csv"))};
        create or replace temp table ref_benefit_rules as
            select
                scheme,
                cast(valid_from as date) as valid_from,
                cast(valid_to as date) as valid_to,
                cast(training_voucher_rp as decimal(18,2)) as training_voucher_rp,
                cast(incentive_tranche_rp as decimal(18,2)) as incentive_tranche_rp,
                cast(incentive_tranches as integer) as incentive_tranches,
                cast(survey_incentive_rp as decimal(18,2)) as survey_incentive_rp,
                cast(survey_incentives as integer) as survey_incentives
            from {_csv(str(SEEDS_DIR / "benefit_rules.csv"))};
        """
    )
