-- Shared step: the Wilson 95% score interval of a proportion k / n (definitions.md "Win rate"):
-- z = 1.959963984540054, no continuity correction, no clamping; null when n = 0.
-- Macros: wilson_low(k, n), wilson_high(k, n).
create or replace macro main.wilson_low(k, n) as
    case when n > 0 then
        ((k / n) + 1.959963984540054 ** 2 / (2 * n)
         - 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n + 1.959963984540054 ** 2 / (4 * n * n)))
        / (1 + 1.959963984540054 ** 2 / n)
    end;
create or replace macro main.wilson_high(k, n) as
    case when n > 0 then
        ((k / n) + 1.959963984540054 ** 2 / (2 * n)
         + 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n + 1.959963984540054 ** 2 / (4 * n * n)))
        / (1 + 1.959963984540054 ** 2 / n)
    end;
