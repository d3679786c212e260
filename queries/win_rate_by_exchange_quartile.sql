-- Does coordination pay? (issue 7). Deals worked by both kinds: owner and source rep of
-- different kinds (one internal, one external; deals without a source rep are left
-- out), closed (won or lost) in the period as of end, kept by the filters (team by
-- attribution). The two reps involved are the owner and the source rep; their
-- cross-team exchanges are the rep-to-rep activities between those two (either
-- initiator, any channel) in the deal window [created_at - $lookback_days days,
-- closed_at), half-open. Quartiles: the deals ranked by exchanges (ties by deal_id)
-- cut into four groups of equal size, ntile(4) (sizes differ by at most one; deals
-- with the same count can fall in adjacent quartiles, hence min/max per quartile).
-- Per quartile: deals, min and max exchanges, won, lost, win rate with its Wilson 95%
-- interval. No rows when no such deal closed.
-- Parameters: $start, $end, $lookback_days, $attribution ('owner' or 'source'), $teams,
-- $regions, $segments (lists, empty = all).
with shared_deals as (
    select deal_id, status, created_at, closed_at,
           least(owner_rep_id, source_rep_id) as rep_low, greatest(owner_rep_id, source_rep_id) as rep_high
    from filtered_deals($end, $attribution, $teams, $regions, $segments)
    where owner_kind <> source_kind and status in ('won', 'lost') and closed_at >= $start
),

per_deal as (
    select d.deal_id, d.status, count(x.occurred_at) as exchanges
    from shared_deals d
    left join rep_pair_exchanges($end) x
        on x.rep_low = d.rep_low and x.rep_high = d.rep_high
        and x.occurred_at >= d.created_at - $lookback_days * interval 1 day
        and x.occurred_at < d.closed_at
    group by all
),

ranked as (
    select *, ntile(4) over (order by exchanges, deal_id) as quartile from per_deal
),

per_quartile as (
    select
        quartile,
        count(*) as deals,
        min(exchanges) as min_exchanges,
        max(exchanges) as max_exchanges,
        count(*) filter (where status = 'won') as won,
        count(*) filter (where status = 'lost') as lost
    from ranked
    group by quartile
),

final as (
    select
        *,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high
    from per_quartile
)

select * from final order by quartile
