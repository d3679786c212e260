-- Shared step: the win rate and its Wilson 95% score interval (definitions.md "Win rate").
-- wilson_low(k, n), wilson_high(k, n): the interval of a proportion k / n, z =
-- 1.959963984540054, no continuity correction, no clamping; null when n = 0
-- (wilson_bound(k, n, side): its lower end for side -1, its upper end for side 1).
-- win_rate(won, lost), win_rate_low(won, lost), win_rate_high(won, lost): won / (won + lost)
-- and its interval; null when won + lost = 0 (no closed deal).
create or replace macro main.wilson_bound(k, n, side) as
    case when n > 0 then
        ((k / n) + 1.959963984540054 ** 2 / (2 * n)
         + side * 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n + 1.959963984540054 ** 2 / (4 * n * n)))
        / (1 + 1.959963984540054 ** 2 / n)
    end;
create or replace macro main.wilson_low(k, n) as wilson_bound(k, n, -1);
create or replace macro main.wilson_high(k, n) as wilson_bound(k, n, 1);

create or replace macro main.win_rate(won, lost) as case when won + lost > 0 then won / (won + lost) end;
create or replace macro main.win_rate_low(won, lost) as wilson_low(won::double, (won + lost)::double);
create or replace macro main.win_rate_high(won, lost) as wilson_high(won::double, (won + lost)::double);
