-- Read model of accounts and payments, fed by the account events; the event store stays the source of truth.
create table account (
    account_id      varchar(64)  primary key,
    owner           varchar(200) not null,
    currency        char(3)      not null,
    balance         bigint       not null check (balance >= 0),
    deposited_total bigint       not null,
    charged_total   bigint       not null,
    refunded_total  bigint       not null,
    updated_at      timestamptz  not null
);

-- What each order was charged, declined or refunded, per account.
create table payment (
    account_id varchar(64) not null references account (account_id),
    order_id   varchar(64) not null,
    amount     bigint      not null,
    state      varchar(16) not null,
    reason     varchar(200),
    updated_at timestamptz not null,
    primary key (account_id, order_id)
);

create index payment_by_order on payment (order_id);
