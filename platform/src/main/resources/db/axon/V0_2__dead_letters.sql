-- Axon's sequenced dead-letter queue: events a handler could not process, per processing group and sequence (the
-- aggregate, or the order for the saga), in order, with the cause. Messages, metadata and tokens are bytea.
create table deadletterentry (
    deadletteridentifier varchar(255)  not null primary key,
    processinggroup      varchar(255)  not null,
    sequenceidentifier   varchar(255)  not null,
    sequenceindex        bigint        not null,
    messagetype          varchar(255)  not null,
    eventidentifier      varchar(255)  not null,
    timestamp            varchar(255)  not null,
    payloadtype          varchar(255)  not null,
    payloadrevision      varchar(255),
    payload              bytea         not null,
    metadata             bytea,
    type                 varchar(255),
    aggregateidentifier  varchar(255),
    sequencenumber       bigint,
    tokentype            varchar(255),
    token                bytea,
    enqueuedat           varchar(255)  not null,
    lasttouched          varchar(255),
    processingstarted    varchar(255),
    causetype            varchar(255),
    causemessage         varchar(1023),
    diagnostics          bytea,
    constraint deadletterentry_sequence unique (processinggroup, sequenceidentifier, sequenceindex)
);

create index deadletterentry_by_group on deadletterentry (processinggroup);
create index deadletterentry_by_sequence on deadletterentry (processinggroup, sequenceidentifier);
