-- One row per key without a window: ingestion quarantines a key already loaded
-- (duplicate_key), and the unique test on the key fails the build if that ever breaks.
with delivered as (
    select * from {{ source('registration', 'revocations') }}
)

select
    cast(id_pendaftaran as {{ dbt.type_string() }}) as application_id,
    cast(tanggal_pencabutan as date) as revoked_date,
    {{ translate('alasan', {
        'tidak_membeli_pelatihan_30_hari': 'no_training_within_30_days',
        'tidak_memenuhi_syarat': 'not_eligible',
        'permintaan_sendiri': 'own_request',
        'data_tidak_valid': 'invalid_data',
    }) }} as revocation_reason,
    cast(_load_id as {{ dbt.type_string() }}) as load_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
from delivered
