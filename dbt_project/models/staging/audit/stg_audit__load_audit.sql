select
    cast(load_id as {{ dbt.type_string() }}) as load_id,
    cast(file as {{ dbt.type_string() }}) as file_name,
    cast(file_checksum as {{ dbt.type_string() }}) as file_checksum,
    cast(family as {{ dbt.type_string() }}) as family,
    cast(entity as {{ dbt.type_string() }}) as entity,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
    cast(rows_loaded as {{ dbt.type_bigint() }}) as rows_loaded,
    cast(rows_rejected as {{ dbt.type_bigint() }}) as rows_rejected,
    cast(errors as {{ dbt.type_string() }}) as errors_json,
    cast(is_synthetic as boolean) as is_synthetic,
    cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(finished_at as {{ dbt.type_timestamp() }}) as finished_at
from {{ source('audit', 'load_audit') }}
