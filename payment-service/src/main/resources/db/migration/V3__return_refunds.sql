-- A closed account takes no new money; its row says so.
alter table account add column closed boolean not null default false;

-- What each return of an order was paid back, or why its refund was refused.
create table return_refund (
    account_id varchar(64)  not null references account (account_id),
    return_id  varchar(64)  not null,
    order_id   varchar(64)  not null,
    amount     bigint       not null,
    state      varchar(16)  not null,
    reason     varchar(200),
    updated_at timestamptz  not null,
    primary key (account_id, return_id)
);

create index return_refund_by_order on return_refund (order_id);
