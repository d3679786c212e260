-- Handoff latency of the deals sourced by an external rep, owned by an internal one and
-- closed in the period, kept by the filters: one row per latency bucket (all seven, in
-- order) with deals, won, lost, win rate and the median latency in days.
-- Latency: fractional days from created_at to the owner's first customer touch belonging
-- to the deal at or after created_at (window of $lookback_days); reading recorded here:
-- touches by the owner before creation do not count, any touch before end does (only a
-- touch naming the deal can fall after its close). Buckets by floor(latency): 0, 1-3,
-- 4-7, 8-14, 15-30, 31 and more; no such touch: 'no owner touch'.
-- Parameters: $start, $end, $lookback_days, $attribution, $teams, $regions, $segments, $scope_agency (see
-- queries/README.md).
with handoffs as (
    select deal_id, owner_rep_id, created_at, status
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency)
    where source_kind = 'external' and owner_kind = 'internal'
        and status in ('won', 'lost') and closed_at >= $start
),

first_touch as (
    select h.deal_id, h.status, epoch(t.first_touch_from_creation_at - h.created_at) / 86400.0 as latency_days
    from handoffs h
    left join deal_rep_first_touches($end, $lookback_days) t on t.deal_id = h.deal_id and t.rep_id = h.owner_rep_id
),

buckets as (
    select * from (values
        (1, '< 1 day', 0, 1), (2, '1–3 days', 1, 4), (3, '4–7 days', 4, 8), (4, '8–14 days', 8, 15),
        (5, '15–30 days', 15, 31), (6, '> 30 days', 31, null), (7, 'no owner touch', null, null)
    ) b(bucket_order, bucket, from_days, to_days)
),

bucketed as (
    select f.*, case
        when latency_days is null then 7
        when latency_days < 1 then 1 when latency_days < 4 then 2 when latency_days < 8 then 3
        when latency_days < 15 then 4 when latency_days < 31 then 5 else 6 end as bucket_order
    from first_touch f
),

per_bucket as (
    select
        b.bucket_order,
        b.bucket,
        count(x.deal_id) as deals,
        count(x.deal_id) filter (where x.status = 'won') as won,
        count(x.deal_id) filter (where x.status = 'lost') as lost,
        median(x.latency_days) as median_latency_days
    from buckets b
    left join bucketed x using (bucket_order)
    group by b.bucket_order, b.bucket
),

final as (
    select
        bucket_order,
        bucket,
        deals,
        won,
        lost,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high,
        median_latency_days
    from per_bucket
)

select * from final order by bucket_order
