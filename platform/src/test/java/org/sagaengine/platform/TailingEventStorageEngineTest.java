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
 * The tail read for the embedded store's processors ends at the first short batch, and no event is missed for it:
 * not across batches, not behind a gap that a rolled-back append leaves in the global index.
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
        assertThat(fetches.get()).isEqualTo(1);

        // A stream of a processor's own (a replay, or one far behind) reads as Axon reads: until a fetch is empty.
        fetches.set(0);
        List<String> history = engine.readEvents(first, false).map(TailingEventStorageEngineTest::payload).toList();
        assertThat(history).containsExactlyElementsOf(after);
        assertThat(fetches.get()).as("fetches for 5 + 5 + 1 + 0 events").isEqualTo(4);
    }

    @Test
    void theEmbeddedStoreMissesNoEventAcrossShortBatchesAndGaps() throws Exception {
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine).fetchDelay(100).build();
        try (TrackingEventStream stream = store.openStream(null)) {
            append("order-2", 3);
            // An append that rolls back leaves a gap in the global index: the batch that spans it comes back short.
            try (Connection appending = database.dataSource().getConnection();
                 Statement sql = appending.createStatement()) {
                appending.setAutoCommit(false);
                for (int i = 0; i < BATCH - 2; i++) {
                    sql.executeUpdate("""
                            insert into domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier,
                                                          payload, payloadtype, timestamp)
                            values ('rolled-back', %d, 'Test', gen_random_uuid()::text, '\\x7b7d', 'java.lang.String',
                                    '2026-11-29T10:00:00Z')""".formatted(i));
                }
                appending.rollback();
            }
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
