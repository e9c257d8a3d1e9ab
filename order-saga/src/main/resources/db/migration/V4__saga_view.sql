-- What the saga view shows of every saga: its state, when it started, and when its current deadline or retry is due
-- (a saga still running well after that is stuck); and the timeline of what it did and what it was told.
alter table order_saga_step add column state varchar(16);
alter table order_saga_step add column started_at timestamptz;
alter table order_saga_step add column due_at timestamptz;

update order_saga_step
   set state = case step when 'CONFIRMED' then 'CONFIRMED'
                         when 'REJECTED' then 'REJECTED'
                         when 'COMPENSATING' then 'COMPENSATING'
                         when 'REJECTING_ORDER' then 'COMPENSATING'
                         else 'RUNNING' end,
       started_at = updated_at;

alter table order_saga_step alter column state set not null;
alter table order_saga_step alter column started_at set not null;

create index order_saga_step_by_state on order_saga_step (state, started_at desc, order_id);
create index order_saga_step_by_start on order_saga_step (started_at desc, order_id);
-- The unfinished sagas, newest first: the few among many that can be stuck.
create index order_saga_step_unfinished on order_saga_step (started_at desc, order_id)
    where state in ('RUNNING', 'COMPENSATING');

create table saga_timeline (
    id       bigserial    primary key,
    order_id varchar(64)  not null,
    at       timestamptz  not null,
    kind     varchar(16)  not null,
    name     varchar(64)  not null,
    detail   varchar(500)
);

create index saga_timeline_by_order on saga_timeline (order_id, id);

-- Searching by the start of an order id.
create index order_saga_step_by_order_prefix on order_saga_step (order_id varchar_pattern_ops);
