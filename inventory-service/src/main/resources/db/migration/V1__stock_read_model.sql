-- Read model of the stock, fed by the stock events; the event store stays the source of truth.
create table product_stock (
    product_id         varchar(64)  primary key,
    name               varchar(200) not null,
    received_quantity  integer      not null check (received_quantity >= 0),
    available_quantity integer      not null check (available_quantity >= 0),
    reserved_quantity  integer      not null check (reserved_quantity >= 0),
    committed_quantity integer      not null check (committed_quantity >= 0),
    updated_at         timestamptz  not null
);

-- What each order holds of each product.
create table stock_hold (
    product_id varchar(64) not null references product_stock (product_id),
    order_id   varchar(64) not null,
    quantity   integer     not null,
    state      varchar(16) not null,
    updated_at timestamptz not null,
    primary key (product_id, order_id)
);

create index stock_hold_by_order on stock_hold (order_id);
