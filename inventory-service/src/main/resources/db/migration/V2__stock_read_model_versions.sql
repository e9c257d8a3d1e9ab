-- Each product row remembers the sequence number of the last stock event applied to it, so an event delivered twice
-- (a processor resuming from an older token) changes nothing the second time. The read model is rebuilt from the
-- events: emptying it and dropping the projection's token makes the processor start again from the first event.
alter table product_stock add column version bigint not null default -1;

delete from stock_hold;
delete from product_stock;
delete from tokenentry where processorname = 'stock-projection';
