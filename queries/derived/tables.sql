-- The pre-computed tables, created empty before the shared macros that read them, then
-- filled by the numbered steps of this folder (tandem.data.db.build_derived). Not part of the
-- import contract; a test checks their columns against the macros that fill them.
create or replace table derived_deals (
    deal_id        varchar,
    account_id     varchar,
    name           varchar,
    amount         double,
    created_at     timestamp,
    closed_at      timestamp,
    status         varchar,
    owner_rep_id   varchar,
    owner_team_id  varchar,
    owner_kind     varchar,
    source_rep_id  varchar,
    source_team_id varchar,
    source_kind    varchar,
    segment        varchar,
    region         varchar,
    unstaged_stage varchar
);

create or replace table derived_customer_touches (
    activity_id varchar,
    occurred_at timestamp,
    channel     varchar,
    rep_id      varchar,
    team_id     varchar,
    kind        varchar,
    agency      varchar,
    deal_id     varchar,
    account_id  varchar,
    region      varchar,
    segment     varchar
);

create or replace table derived_rep_exchanges (
    activity_id         varchar,
    occurred_at         timestamp,
    channel             varchar,
    direction           varchar,
    duration_s          double,
    initiator_rep_id    varchar,
    initiator_team_id   varchar,
    initiator_kind      varchar,
    initiator_agency    varchar,
    counterpart_rep_id  varchar,
    counterpart_team_id varchar,
    counterpart_kind    varchar,
    counterpart_agency  varchar,
    exchange_kind       varchar
);

create or replace table derived_activities_by_week_and_kind (
    week_start     date,
    activity_kind  varchar,
    activity_count bigint
);

create or replace table derived_deal_touches (
    deal_id         varchar,
    activity_id     varchar,
    occurred_at     timestamp,
    channel         varchar,
    rep_id          varchar,
    rep_team_id     varchar,
    rep_kind        varchar,
    contact_id      varchar,
    by_deal_id      boolean,
    deal_created_at timestamp
);

create or replace table derived_deal_agencies (
    deal_id varchar,
    agency  varchar
);

create or replace table derived_deal_rep_touches (
    deal_id                      varchar,
    rep_id                       varchar,
    rep_team_id                  varchar,
    deal_created_at              timestamp,
    first_touch_at               timestamp,
    first_touch_from_creation_at timestamp,
    touches_before_close         bigint,
    touched_after_close_at       timestamp[],
    early_window_touches_at      timestamp[]
);

create or replace table derived_contest_evidence_grain (
    deal_id            varchar,
    signal             varchar,
    rep_id             varchar,
    activity_id        varchar,
    evidence_at        timestamp,
    other_rep_id       varchar,
    other_activity_id  varchar,
    other_evidence_at  timestamp,
    detail             varchar,
    valid_from         timestamp,
    lookback_needed_us bigint,
    earlier_at         timestamp,
    later_at           timestamp,
    gap_us             bigint,
    exchange_before_at timestamp,
    exchange_after_at  timestamp
);

create or replace table derived_contest_evidence (
    deal_id           varchar,
    signal            varchar,
    rep_id            varchar,
    activity_id       varchar,
    evidence_at       timestamp,
    other_rep_id      varchar,
    other_activity_id varchar,
    other_evidence_at timestamp,
    detail            varchar,
    valid_from        timestamp,
    valid_until       timestamp
);

create or replace table derived_spans (
    first_activity_at     timestamp,
    last_activity_at      timestamp,
    first_deal_created_at timestamp,
    last_deal_created_at  timestamp,
    first_data_at         timestamp,  -- first timestamp of any dated table
    last_data_at          timestamp   -- last timestamp of any dated table
);

create or replace table derived_deal_flag_intervals (
    deal_id               varchar,
    valid_from            timestamp,
    valid_until           timestamp,
    double_claim          boolean,
    out_of_scope          boolean,
    uncoordinated_overlap boolean,
    deal_closed_at        timestamp
);
