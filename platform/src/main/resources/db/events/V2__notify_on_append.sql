-- Every transaction that appends events tells the services listening on the channel 'domain_events', once, when it
-- commits (PostgreSQL delivers notifications at commit and folds identical ones of one transaction into one). The
-- services' event stores read new events as soon as they hear it, instead of waiting for their next poll.
create function notify_domain_events() returns trigger language plpgsql as $$
begin
    perform pg_notify('domain_events', '');
    return null;
end;
$$;

create trigger domain_events_appended
    after insert on domainevententry
    for each statement execute function notify_domain_events();
