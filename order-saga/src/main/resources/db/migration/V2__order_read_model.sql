-- Read model of orders, fed by the order events.
create table customer_order (
    order_id               varchar(64) primary key,
    account_id             varchar(64) not null,
    currency               char(3)     not null,
    total_amount           bigint      not null,
    status                 varchar(16) not null,
    reason                 varchar(500),
    cancellation_requested boolean     not null default false,
    lines                  jsonb       not null,
    placed_at              timestamptz not null,
    updated_at             timestamptz not null
);

create index customer_order_by_status on customer_order (status, placed_at desc);
create index customer_order_by_placed on customer_order (placed_at desc);

-- The step each order's saga is at, written by the saga in its own transaction.
create table order_saga_step (
    order_id   varchar(64)  primary key,
    step       varchar(32)  not null,
    detail     varchar(500),
    updated_at timestamptz  not null
);
