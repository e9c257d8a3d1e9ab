-- Read model of returns, fed by the order events. version is the order's sequence number of the last event applied.
create table order_return (
    return_id    varchar(64) primary key,
    order_id     varchar(64) not null,
    currency     char(3)     not null,
    amount       bigint      not null,
    status       varchar(16) not null,
    reason       varchar(500),
    lines        jsonb       not null,
    version      bigint      not null,
    requested_at timestamptz not null,
    updated_at   timestamptz not null
);

create index order_return_by_order on order_return (order_id, requested_at);
