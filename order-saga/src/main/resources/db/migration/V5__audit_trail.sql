-- The audit trail: every event of every service that concerns an order, in the order of the event stream, with the
-- message that caused it (correlation id) and the first message of its chain (trace id). Rebuilt by replaying.
create table audit_entry (
    event_id       varchar(255) primary key,
    order_id       varchar(64)  not null,
    position       bigint       not null,
    at             timestamptz  not null,
    aggregate_type varchar(255),
    aggregate_id   varchar(255),
    sequence       bigint,
    event_type     varchar(255) not null,
    payload        jsonb        not null,
    correlation_id varchar(255),
    trace_id       varchar(255)
);

create index audit_entry_by_order on audit_entry (order_id, position);
