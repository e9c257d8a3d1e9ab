-- What each return took back of each product: held (RETURNED, counted as reserved), put back on sale (RESTOCKED),
-- given back to its order (CANCELLED) or refused (REJECTED).
create table stock_return (
    product_id varchar(64)  not null references product_stock (product_id),
    return_id  varchar(64)  not null,
    order_id   varchar(64)  not null,
    quantity   integer      not null,
    state      varchar(16)  not null,
    reason     varchar(200),
    updated_at timestamptz  not null,
    primary key (product_id, return_id)
);

create index stock_return_by_order on stock_return (order_id);
create index stock_return_by_return on stock_return (return_id);
