package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventStream;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The tail read for the embedded store's processors ends at the first short batch, and the read right after it asks
 * nothing unless an append was heard of; no event is missed for it: not across batches, not behind a gap that a
 * rolled-back append leaves in the global index, not when a notification is lost.
 */
class TailingEventStorageEngineTest {

    private static final int BATCH = 5;
    @RegisterExtension
    static final EventsTestDatabase database = new EventsTestDatabase();

    private final AtomicInteger fetches = new AtomicInteger();
    private TailingEventStorageEngine engine;

    @BeforeEach
    void emptyStore() throws Exception {
        try (Connection db = database.dataSource().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("truncate domainevententry restart identity");
        }
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        engine = new TailingEventStorageEngine(
                JdbcEventStorageEngine.builder()
                                      .connectionProvider(new SpringDataSourceConnectionProvider(
                                              database.dataSource()))
                                      .transactionManager(new SpringTransactionManager(
                                              new DataSourceTransactionManager(database.dataSource())))
                                      .persistenceExceptionResolver((PersistenceExceptionResolver) e -> false)
                                      .snapshotSerializer(serializer)
                                      .eventSerializer(serializer)
                                      .dataType(byte[].class)
                                      .batchSize(BATCH)) {
            @Override
            protected List<? extends TrackedEventData<?>> fetchTrackedEvents(TrackingToken lastToken, int size) {
                fetches.incrementAndGet();
                return super.fetchTrackedEvents(lastToken, size);
            }
        };
    }

    @Test
    void theTailReadEndsAtTheFirstShortBatchWhereAxonsReadAsksOnceMore() {
        append("order-1", 12);
        // The store's tail read always starts from the last event it has read.
        TrackingToken first = engine.readEvents(null, false).findFirst().orElseThrow().trackingToken();
        List<String> after = payloads("order-1", 12).subList(1, 12);

        fetches.set(0);
        List<TrackedEventMessage<?>> tail = new ArrayList<>(engine.readEvents(first, true).toList());
        assertThat(tail).extracting(TailingEventStorageEngineTest::payload).as("every event after the first, in order")
                        .containsExactlyElementsOf(after);
        assertThat(fetches.get()).as("fetches for 5 + 5 + 1 events").isEqualTo(3);
        fetches.set(0);
        assertThat(engine.readEvents(tail.get(tail.size() - 1).trackingToken(), true).toList())
                .as("the store's next read, from the last event read").isEmpty();
        assertThat(fetches.get()).as("with no append heard of since, it has nothing to find and asks nothing")
                                 .isZero();

        // A stream of a processor's own (a replay, or one far behind) reads as Axon reads: until a fetch is empty.
        fetches.set(0);
        List<String> history = engine.readEvents(first, false).map(TailingEventStorageEngineTest::payload).toList();
        assertThat(history).containsExactlyElementsOf(after);
        assertThat(fetches.get()).as("fetches for 5 + 5 + 1 + 0 events").isEqualTo(4);
    }

    @Test
    void onlyTheReadRightAfterAShortBatchIsSkippedAndOnlyIfNoAppendWasHeardOf() {
        TrackingToken end = tailEnd();

        // An append this process makes, or hears of, before the store reads again: the read queries and finds it.
        append("order-5", 1);
        engine.heardOfAppends();
        fetches.set(0);
        List<? extends TrackedEventMessage<?>> read = engine.readEvents(end, true).toList();
        assertThat(read).extracting(TailingEventStorageEngineTest::payload).containsExactly("order-5#0");
        assertThat(fetches.get()).isEqualTo(1);

        // An append whose notification was lost: the read right after the short batch misses it...
        end = read.get(0).trackingToken();
        append("order-6", 1);
        assertThat(readTail(end)).isEmpty();
        // ...and the store's next read, at its poll, finds it.
        fetches.set(0);
        assertThat(readTail(end)).containsExactly("order-6#0");
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void aShortBatchWithAGapOfItsOwnIsNotTakenForTheEnd() throws Exception {
        append("order-7", 1);
        TrackingToken first = engine.readEvents(null, false).findFirst().orElseThrow().trackingToken();
        // Sequence numbers 2 and 3 roll back: the window after the first event (2 to 6) holds only 3 events.
        rollBackAppends(2);
        append("order-8", 6);

        List<? extends TrackedEventMessage<?>> tail = engine.readEvents(first, true).toList();
        assertThat(tail).extracting(TailingEventStorageEngineTest::payload)
                        .containsExactly("order-8#0", "order-8#1", "order-8#2");
        assertThat(readTail(tail.get(tail.size() - 1).trackingToken()))
                .as("the events past the window, with no append heard of since")
                .containsExactly("order-8#3", "order-8#4", "order-8#5");
    }

    @Test
    void theListeningStoreTellsTheTailOfAppendsItMakesAndHearsOf() {
        ListeningEventStore store = new ListeningEventStore(EmbeddedEventStore.builder().storageEngine(engine));
        try {
            TrackingToken end = tailEnd();
            store.publish(new GenericDomainEventMessage<>("Test", "order-9", 0, "order-9#0"));
            List<? extends TrackedEventMessage<?>> read = engine.readEvents(end, true).toList();
            assertThat(read).extracting(TailingEventStorageEngineTest::payload).as("an append of this process")
                            .containsExactly("order-9#0");

            append("order-10", 1);
            store.appendedElsewhere();
            assertThat(readTail(read.get(0).trackingToken())).as("an append heard of")
                                                              .containsExactly("order-10#0");
        } finally {
            store.shutDown();
        }
    }

    @Test
    void theEmbeddedStoreMissesNoEventAcrossShortBatchesAndGaps() throws Exception {
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine).fetchDelay(100).build();
        try (TrackingEventStream stream = store.openStream(null)) {
            append("order-2", 3);
            // An append that rolls back leaves a gap in the global index: the batch that spans it comes back short.
            rollBackAppends(BATCH - 2);
            for (int i = 0; i < 4; i++) {
                append("order-3-" + i, 2);
            }

            List<String> read = new ArrayList<>();
            while (read.size() < 11 && stream.hasNextAvailable(10, TimeUnit.SECONDS)) {
                read.add(payload(stream.nextAvailable()));
            }
            List<String> expected = new ArrayList<>(payloads("order-2", 3));
            IntStream.range(0, 4).forEach(i -> expected.addAll(payloads("order-3-" + i, 2)));
            assertThat(read).as("every committed event, in order").containsExactlyElementsOf(expected);
            assertThat(stream.hasNextAvailable(300, TimeUnit.MILLISECONDS)).as("nothing more").isFalse();
        } finally {
            store.shutDown();
        }
    }

    /** The token at which a tail read from an event's token ends, with a short batch and no gap in it. */
    private TrackingToken tailEnd() {
        append("order-4", 2);
        TrackingToken first = engine.readEvents(null, false).findFirst().orElseThrow().trackingToken();
        List<? extends TrackedEventMessage<?>> tail = engine.readEvents(first, true).toList();
        assertThat(tail).extracting(TailingEventStorageEngineTest::payload).containsExactly("order-4#1");
        return tail.get(0).trackingToken();
    }

    private List<String> readTail(TrackingToken from) {
        return engine.readEvents(from, true).map(TailingEventStorageEngineTest::payload).toList();
    }

    /** Appends that roll back, leaving as many sequence numbers of the global index unused. */
    private static void rollBackAppends(int events) throws Exception {
        try (Connection appending = database.dataSource().getConnection();
             Statement sql = appending.createStatement()) {
            appending.setAutoCommit(false);
            for (int i = 0; i < events; i++) {
                sql.executeUpdate("""
                        insert into domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier,
                                                      payload, payloadtype, timestamp)
                        values ('rolled-back', %d, 'Test', gen_random_uuid()::text, '\\x7b7d', 'java.lang.String',
                                '2026-11-29T10:00:00Z')""".formatted(i));
            }
            appending.rollback();
        }
    }

    private void append(String aggregate, int events) {
        engine.appendEvents(IntStream.range(0, events)
                                     .mapToObj(i -> new GenericDomainEventMessage<>("Test", aggregate, i,
                                                                                    aggregate + "#" + i))
                                     .toList());
    }

    private static List<String> payloads(String aggregate, int events) {
        return IntStream.range(0, events).mapToObj(i -> aggregate + "#" + i).toList();
    }

    private static String payload(TrackedEventMessage<?> event) {
        return (String) event.getPayload();
    }
}
