with latest as (
    {{ latest_per_key(source('providers', 'courses'), ['kode_pelatihan', 'kode_platform']) }}
)

select
    {{ course_listing_key('kode_pelatihan', 'kode_platform') }} as course_listing_key,
    cast(kode_pelatihan as {{ dbt.type_string() }}) as course_code,
    cast(kode_platform as {{ dbt.type_string() }}) as platform_code,
    cast(kode_lembaga as {{ dbt.type_string() }}) as provider_code,
    cast(judul as {{ dbt.type_string() }}) as title,
    {{ translate('kategori', {
        'bahasa': 'language',
        'kewirausahaan': 'entrepreneurship',
        'pemasaran_digital': 'digital_marketing',
        'teknologi_informasi': 'information_technology',
        'keuangan': 'finance',
        'kuliner': 'culinary',
        'kecantikan': 'beauty',
        'manufaktur': 'manufacturing',
        'pertanian': 'agriculture',
        'pariwisata': 'tourism',
        'pengembangan_diri': 'personal_development',
        'kesehatan': 'health',
    }) }} as category,
    {{ translate('moda', {'daring': 'online', 'luring': 'offline', 'campuran': 'blended'}) }}
        as mode,
    {{ to_rupiah('harga') }} as list_price_rp,
    cast(durasi_jam as decimal(8,2)) as duration_hours,
    cast(tanggal_tayang as date) as listed_from,
    cast(tanggal_turun as date) as listed_to
from latest
