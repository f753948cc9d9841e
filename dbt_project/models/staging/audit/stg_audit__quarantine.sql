select
    cast(load_id as {{ dbt.type_string() }}) as load_id,
    cast(file as {{ dbt.type_string() }}) as file_name,
    cast(file_checksum as {{ dbt.type_string() }}) as file_checksum,
    cast(entity as {{ dbt.type_string() }}) as entity,
    cast(row_number as {{ dbt.type_bigint() }}) as row_number,
    cast(rule as {{ dbt.type_string() }}) as rule,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(record as {{ dbt.type_string() }}) as record_json
from {{ source('audit', 'quarantine') }}
