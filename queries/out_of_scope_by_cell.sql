-- Where the rules of engagement leak, by the deal's account segment and region and the
-- deal's stage at the touch (shared step out_of_scope_touches: the contest signal's
-- out-of-scope evidence made in the period, as of $end): one row per cell with at least
-- one such touch, in stage order. touches counts distinct activities; deals the distinct
-- deals touched, split by their status as of $end; amount sums those deals' amounts once
-- each; deal_ids lists them (the link to the Deals page).
-- Parameters: $start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, $scope_agency
-- (the user's scope, queries/shared/03_scope.sql: out_of_scope_touches keeps deals and reps in it).
with leaks as (
    select * from out_of_scope_touches($start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, null, $scope_agency)
),

deal_amounts as (
    select segment, region, stage_then, sum(amount) as amount
    from (select distinct segment, region, stage_then, deal_id, amount from leaks)
    group by all
)

select l.segment, l.region, l.stage_then as stage, s.position as stage_position,
       count(distinct l.activity_id) as touches,
       count(distinct l.deal_id) as deals,
       count(distinct l.deal_id) filter (where l.status = 'won') as won,
       count(distinct l.deal_id) filter (where l.status = 'lost') as lost,
       count(distinct l.deal_id) filter (where l.status = 'open') as open,
       any_value(a.amount) as amount,
       list(distinct l.deal_id order by l.deal_id) as deal_ids
from leaks l
join deal_amounts a using (segment, region, stage_then)
left join stage_order s on s.stage = l.stage_then
group by l.segment, l.region, l.stage_then, s.position
order by l.segment, l.region, s.position
