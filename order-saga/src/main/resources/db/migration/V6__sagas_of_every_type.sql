-- Sagas of every type share the progress tables: each row names its saga type and its key (the order id for the
-- order saga), instead of an order id.
alter table order_saga_step rename to saga_step;
alter table saga_step rename column order_id to saga_key;
alter table saga_step add column saga_type varchar(32) not null default 'order';
alter table saga_step alter column saga_type drop default;
alter table saga_step drop constraint order_saga_step_pkey;
alter table saga_step add primary key (saga_type, saga_key);

alter index order_saga_step_by_state rename to saga_step_by_state;
alter index order_saga_step_by_start rename to saga_step_by_start;
alter index order_saga_step_unfinished rename to saga_step_unfinished;
alter index order_saga_step_by_order_prefix rename to saga_step_by_key_prefix;
-- One saga type's list, newest first.
create index saga_step_by_type on saga_step (saga_type, started_at desc, saga_key);

alter table saga_timeline rename column order_id to saga_key;
alter table saga_timeline add column saga_type varchar(32) not null default 'order';
alter table saga_timeline alter column saga_type drop default;
drop index saga_timeline_by_order;
create index saga_timeline_by_saga on saga_timeline (saga_type, saga_key, id);
