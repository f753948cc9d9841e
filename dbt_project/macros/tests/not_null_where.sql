{#- A column is not null on the rows where a condition holds (e.g. paid_date when paid). -#}
{% test not_null_where(model, column_name, condition) %}
select *
from {{ model }}
where {{ condition }} and {{ column_name }} is null
{% endtest %}
