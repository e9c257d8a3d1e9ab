package org.sagaengine.platform;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.axonframework.eventhandling.GapAwareTrackingToken;
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
 * That fetch finds nothing unless events were appended meanwhile, and an empty fetch costs the gap check's query
 * too. So the read right after a tail read that ended at a short batch with no gap of its own ({@link
 * #endsTheStore}), from where it ended, runs no query at all if the store has heard of no append since that batch
 * was fetched ({@link #heardOfAppends()}: an append of this process, or one the {@link EventAppendListener} heard
 * of, which PostgreSQL delivers only once the append is visible to new snapshots). It is the only read skipped: the
 * read after it, at the store's next poll, queries again. So an append whose notification was lost is read at that
 * poll, as before, and one heard of while the store was reading wakes a read that queries.
 * <p>
 * Only the reads that may block are the tail's: Axon's embedded store asks for those alone, from its one producer
 * thread. A processor that reads history on a stream of its own (a replay, one far behind) reads as Axon reads, to
 * the end.
 */
class TailingEventStorageEngine extends JdbcEventStorageEngine {

    private final AtomicLong appendsHeard = new AtomicLong();
    /** Where the last tail read ended at a short batch, if the next read has not come yet. */
    private volatile End end;

    TailingEventStorageEngine(Builder builder) {
        super(builder);
    }

    /**
     * Tells the tail that events may have been appended: the next read queries, even one right after a short batch.
     * Called before the store is woken to read them.
     */
    void heardOfAppends() {
        appendsHeard.incrementAndGet();
    }

    @Override
    protected Stream<? extends TrackedEventData<?>> readEventData(TrackingToken trackingToken, boolean mayBlock) {
        if (!mayBlock) {
            return super.readEventData(trackingToken, false);
        }
        End previous = end;
        end = null;
        if (previous != null && previous.appendsHeard() == appendsHeard.get()
                && Objects.equals(previous.token(), trackingToken)) {
            return Stream.empty();
        }
        return StreamSupport.stream(new Tail(trackingToken), false);
    }

    /**
     * Whether a short batch read all that was committed when it was fetched: whether it has no gap of its own. Only a
     * following fetch reads past a batch's window, and a batch cut short by sequence numbers whose appends rolled back
     * may have events past its window that were heard of before it was fetched. A batch with no gap of its own could
     * have them only if every number from its last event to its window's end rolled back. (A gap whose append has yet
     * to commit would be safe, since its commit is heard of, but it cannot be told from one that rolled back.)
     */
    private static boolean endsTheStore(TrackingToken from, TrackingToken to) {
        return from instanceof GapAwareTrackingToken before && to instanceof GapAwareTrackingToken after
                && after.getGaps().tailSet(before.getIndex() + 1).isEmpty();
    }

    /**
     * @param token        the token of the short batch's last event
     * @param appendsHeard how many appends the store had heard of before that batch was fetched
     */
    private record End(TrackingToken token, long appendsHeard) {
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
                // Read before the fetch: an append that commits after the fetch's snapshot is heard of after this.
                long heard = appendsHeard.get();
                TrackingToken from = last;
                List<? extends TrackedEventData<?>> fetched = fetchTrackedEvents(from, batchSize());
                lastBatch = fetched.size() < batchSize();
                batch = fetched.iterator();
                if (!batch.hasNext()) {
                    return false;
                }
                TrackingToken to = fetched.get(fetched.size() - 1).trackingToken();
                if (lastBatch && endsTheStore(from, to)) {
                    // Found events, so the store reads again at once, from here: that read has nothing to find
                    // unless an append is heard of meanwhile.
                    end = new End(to, heard);
                }
            }
            TrackedEventData<?> next = batch.next();
            last = next.trackingToken();
            action.accept(next);
            return true;
        }
    }
}
