package org.sagaengine.platform;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

/**
 * Axon's JDBC storage engine, but the stream that reads the tail of the event store for the embedded store's
 * processors ends at the first batch that is not full, instead of asking once more and finding nothing.
 * <p>
 * Axon's embedded event store reads new events for all of a process's processors at once, with one stream each time
 * it wakes (at an append, or its poll). Its stream read until a fetch came back empty, and an empty fetch costs a
 * second query (Axon's check for a gap wider than a batch); then the store, having found events, fetched once more
 * before waiting. With appends woken on as they commit, nearly every wake found one short batch, so each wake cost
 * three transactions and five queries in each service. Ending the stream at the short batch leaves the store's own
 * fetch after it, which is the one that finds the end: two transactions and three queries. Nothing is missed: a batch
 * cut short by a gap is followed by that fetch, which starts after the last event read.
 * <p>
 * Only the reads that may block are the tail's: Axon's embedded store asks for those alone. A processor that reads
 * history on a stream of its own (a replay, one far behind) reads as Axon reads, to the end.
 */
class TailingEventStorageEngine extends JdbcEventStorageEngine {

    TailingEventStorageEngine(Builder builder) {
        super(builder);
    }

    @Override
    protected Stream<? extends TrackedEventData<?>> readEventData(TrackingToken trackingToken, boolean mayBlock) {
        if (!mayBlock) {
            return super.readEventData(trackingToken, false);
        }
        return StreamSupport.stream(new Tail(trackingToken), false);
    }

    /** Batch after batch from a token, up to and including the first one that is not full. */
    private final class Tail extends Spliterators.AbstractSpliterator<TrackedEventData<?>> {

        private TrackingToken last;
        private Iterator<? extends TrackedEventData<?>> batch = Collections.emptyIterator();
        private boolean lastBatch;

        Tail(TrackingToken from) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.last = from;
        }

        @Override
        public boolean tryAdvance(Consumer<? super TrackedEventData<?>> action) {
            if (!batch.hasNext()) {
                if (lastBatch) {
                    return false;
                }
                List<? extends TrackedEventData<?>> fetched = fetchTrackedEvents(last, batchSize());
                lastBatch = fetched.size() < batchSize();
                batch = fetched.iterator();
                if (!batch.hasNext()) {
                    return false;
                }
            }
            TrackedEventData<?> next = batch.next();
            last = next.trackingToken();
            action.accept(next);
            return true;
        }
    }
}
