-- Helpers every mapping's SQL may use (tandem.data.crm; docs/crm-import.md). Created per
-- import in a private in-memory database, after crm_settings(null_values) and
-- crm_values(map_name, source_key, target_value) are filled from the mapping with bound
-- values. {date_formats} is replaced by the mapping's formats as SQL string literals
-- (try_strptime needs them constant).

-- empty, blank, or one of the mapping's null values (e.g. Salesforce's 000000000000000AAA)
create temp macro blank(x) as
    x is null or trim(x::varchar) = '' or list_contains((select null_values from crm_settings), trim(x::varchar));

-- an id or a text: trimmed, null when blank
create temp macro txt(x) as case when blank(x) then null else trim(x::varchar) end;

-- a timestamp in any of the mapping's formats; a trailing time zone (Z, +0000, +01:00) is
-- dropped: the clock time is kept as written
create temp macro ts(x) as
    case when blank(x) then null
         else try_strptime(regexp_replace(trim(x::varchar), '(Z|[+-]\d{2}:?\d{2})$', ''), [{date_formats}]) end;

create temp macro day(x) as cast(ts(x) as date);

-- booleans as exports write them: 1/0, true/false, TRUE/FALSE, yes/no; blank is null
create temp macro flag(x) as
    case when blank(x) then null
         when lower(trim(x::varchar)) in ('1', 'true', 'yes', 'y') then true
         when lower(trim(x::varchar)) in ('0', 'false', 'no', 'n') then false end;

-- a number: 1234.5, 1,234.5 (thousands commas) or 1234,5 (decimal comma); null when not one
create temp macro num(x) as
    case when blank(x) then null
         when regexp_full_match(replace(trim(x::varchar), ' ', ''), '-?\d{1,3}(,\d{3})+(\.\d+)?')
             then try_cast(replace(replace(trim(x::varchar), ' ', ''), ',', '') as double)
         when regexp_full_match(replace(trim(x::varchar), ' ', ''), '-?\d+,\d+')
             then try_cast(replace(replace(trim(x::varchar), ' ', ''), ',', '.') as double)
         else try_cast(replace(trim(x::varchar), ' ', '') as double) end;

-- a duration written H:MM:SS or MM:SS, in seconds
create temp macro hms(x) as
    case when blank(x) then null
         when regexp_full_match(trim(x::varchar), '\d+(:\d{1,2}){1,2}')
             then list_reduce(list_transform(string_split(trim(x::varchar), ':'), lambda v: v::double),
                              lambda a, b: a * 60 + b)
    end;

-- a value through the mapping's [values.<map_key>] (case and surrounding spaces ignored);
-- an unknown value comes back as 'unmapped:<value>', which the import reports and drops
create temp macro value_of(map_key, x) as
    case when blank(x) then null
         else coalesce((select v.target_value from crm_values v
                        where v.map_name = map_key and v.source_key = lower(trim(x::varchar))),
                       'unmapped:' || trim(x::varchar)) end;
