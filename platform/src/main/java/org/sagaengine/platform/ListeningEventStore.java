package org.sagaengine.platform;

import java.util.List;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;

/**
 * Axon's embedded event store, which can also be told that another process appended events: it then reads them at
 * once if it was waiting for its next poll, as it does for events this process appends.
 */
final class ListeningEventStore extends EmbeddedEventStore {

    ListeningEventStore(Builder builder) {
        super(builder);
    }

    /** Reads new events now, if the store is waiting for them; returns at once. */
    void appendedElsewhere() {
        afterCommit(List.of());
    }

    /** After this process appended events, or heard that another did: the tail's next read must query. */
    @Override
    protected void afterCommit(List<? extends EventMessage<?>> events) {
        if (storageEngine() instanceof TailingEventStorageEngine tail) {
            tail.heardOfAppends();
        }
        super.afterCommit(events);
    }
}
