-- Tandem database schema: the tables of the data contract in DESIGN.md, same names
-- and columns as the CSV import format. Enumerations are CHECK constraints; the
-- stage order is the table stage_order ('lost' has no position: it ends a deal at
-- any stage and matches no scope rule).
-- Tables are created in dependency order so that every foreign key resolves.

create table stage_order (
    stage    varchar primary key,
    position integer unique  -- lead 1 .. won 5; null for lost
);
insert into stage_order values
    ('lead', 1), ('qualified', 2), ('proposal', 3), ('negotiation', 4), ('won', 5), ('lost', null);

create table teams (
    team_id varchar primary key,
    name    varchar not null,
    kind    varchar not null check (kind in ('internal', 'external')),
    agency  varchar
);

create table reps (
    rep_id     varchar primary key,
    name       varchar not null,
    team_id    varchar not null references teams (team_id),
    email      varchar,
    started_on date not null,
    left_on    date
);

create table accounts (
    account_id   varchar primary key,
    name         varchar not null,
    segment      varchar not null,
    region       varchar not null,
    industry     varchar,
    owner_rep_id varchar references reps (rep_id)
);

create table contacts (
    contact_id varchar primary key,
    account_id varchar not null references accounts (account_id),
    name       varchar not null,
    title      varchar
);

create table deals (
    deal_id       varchar primary key,
    account_id    varchar not null references accounts (account_id),
    name          varchar not null,
    product       varchar,
    amount        double not null check (amount >= 0),
    created_at    timestamp not null,
    closed_at     timestamp check (closed_at >= created_at),
    status        varchar not null check (status in ('open', 'won', 'lost')),
    stage         varchar not null references stage_order (stage),
    owner_rep_id  varchar not null references reps (rep_id),
    source_rep_id varchar references reps (rep_id),
    lead_source   varchar,
    check ((status = 'open') = (closed_at is null)),
    check (case status when 'open' then stage not in ('won', 'lost') else stage = status end)
);

create table deal_stage_changes (
    deal_id    varchar not null references deals (deal_id),
    stage      varchar not null references stage_order (stage),
    changed_at timestamp not null,
    rep_id     varchar references reps (rep_id),
    primary key (deal_id, changed_at)
);

create table activities (
    activity_id        varchar primary key,
    occurred_at        timestamp not null,
    channel            varchar not null check (channel in ('call', 'email', 'meeting')),
    rep_id             varchar not null references reps (rep_id),
    counterpart_rep_id varchar references reps (rep_id),
    contact_id         varchar references contacts (contact_id),
    deal_id            varchar references deals (deal_id),
    direction          varchar not null check (direction in ('outbound', 'inbound')),
    duration_s         double check (duration_s >= 0),
    subject            varchar,
    check ((counterpart_rep_id is null) <> (contact_id is null))
);

create table claims (
    deal_id    varchar not null references deals (deal_id),
    rep_id     varchar not null references reps (rep_id),
    claimed_at timestamp not null,
    kind       varchar not null check (kind in ('registration', 'credit'))
);

create table scope_rules (
    team_id    varchar not null references teams (team_id),
    segment    varchar not null,
    region     varchar not null,
    stage_from varchar not null check (stage_from <> 'lost') references stage_order (stage),
    stage_to   varchar not null check (stage_to <> 'lost') references stage_order (stage)
);

create table events (
    event_id      varchar primary key,
    name          varchar not null,
    kind          varchar not null check (kind in ('convention', 'seminar', 'product_launch', 'team_building', 'strategy_meeting')),
    held_on       date not null,
    internal_only boolean not null
);

create table event_attendance (
    event_id varchar not null references events (event_id),
    rep_id   varchar not null references reps (rep_id)
);

-- Where the data came from: source ('demo' or 'import'), detail, built_at.
create table tandem_meta (
    key   varchar primary key,
    value varchar not null
);
