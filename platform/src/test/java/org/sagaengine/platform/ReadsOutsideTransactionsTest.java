package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.IntStream;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The event store reads without a transaction of its own and writes in one, on real PostgreSQL: every kind of read
 * the storage engine makes finds what was appended and begins and commits no transaction, and an append that fails
 * part-way stores none of its events.
 */
class ReadsOutsideTransactionsTest {

    @RegisterExtension
    static final EventsTestDatabase database = new EventsTestDatabase();

    private ConnectionCalls counted;
    private JdbcEventStorageEngine engine;

    @BeforeEach
    void emptyStore() throws Exception {
        try (Connection db = database.dataSource().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("truncate domainevententry restart identity");
        }
        counted = new ConnectionCalls(database.dataSource());
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        engine = new TailingEventStorageEngine(
                JdbcEventStorageEngine.builder()
                                      .connectionProvider(new SpringDataSourceConnectionProvider(counted.dataSource()))
                                      .transactionManager(new ReadsOutsideTransactions(new SpringTransactionManager(
                                              new DataSourceTransactionManager(counted.dataSource()))))
                                      .persistenceExceptionResolver(
                                              (PersistenceExceptionResolver) e -> e.getMessage() != null
                                                      && e.getMessage().contains("duplicate key"))
                                      .snapshotSerializer(serializer)
                                      .eventSerializer(serializer)
                                      .dataType(byte[].class)
                                      .batchSize(5));
    }

    @Test
    void anAppendCommitsOnceAndTheReadsAfterItCommitNothing() {
        append("order-1", 0, 7);
        assertThat(counted.calls("commit")).as("commits of the append").isEqualTo(1);
        counted.reset();

        TrackingToken first = engine.readEvents(null, false).findFirst().orElseThrow().trackingToken();
        assertThat(engine.readEvents(first, true).map(ReadsOutsideTransactionsTest::payload).toList())
                .as("the tail after the first event, in two fetches")
                .containsExactlyElementsOf(payloads("order-1", 1, 7));
        assertThat(engine.readEvents(null, false).toList()).as("a processor's own stream").hasSize(7);
        DomainEventStream aggregate = engine.readEvents("order-1");
        assertThat(aggregate.asStream().map(event -> (String) event.getPayload()).toList())
                .as("an aggregate's events").containsExactlyElementsOf(payloads("order-1", 0, 7));
        assertThat(engine.lastSequenceNumberFor("order-1")).contains(6L);
        TrackingToken head = engine.createHeadToken();
        assertThat(head.position()).as("the head's index").hasValue(7);
        assertThat(engine.createTailToken()).isNotNull();

        assertThat(counted.calls("setAutoCommit(false)")).as("transactions the reads began").isZero();
        assertThat(counted.calls("commit")).as("commits of the reads").isZero();
        assertThat(counted.calls("getConnection")).as("connections the reads took").isPositive();
    }

    @Test
    void anAppendThatFailsPartWayStoresNoneOfItsEvents() {
        append("order-2", 0, 2);
        assertThatThrownBy(() -> append("order-2", 1, 3)).as("the second event exists")
                                                          .isInstanceOf(ConcurrencyException.class);
        assertThatThrownBy(() -> engine.appendEvents(List.of(
                new GenericDomainEventMessage<>("Test", "order-3", 0, "order-3#0"),
                new GenericDomainEventMessage<>("Test", "order-2", 0, "order-2#0 again"))))
                .as("a new aggregate's event, then one that exists")
                .isInstanceOf(AggregateStreamCreationException.class);

        assertThat(engine.readEvents(null, false).map(ReadsOutsideTransactionsTest::payload).toList())
                .as("the first append only; of the failed appends, not even the events before the conflict")
                .containsExactlyElementsOf(payloads("order-2", 0, 2));
        assertThat(counted.calls("rollback")).as("the failed appends rolled back").isEqualTo(2);
    }

    private void append(String aggregate, int from, int to) {
        engine.appendEvents(IntStream.range(from, to)
                                     .mapToObj(i -> new GenericDomainEventMessage<>("Test", aggregate, i,
                                                                                    aggregate + "#" + i))
                                     .toList());
    }

    private static List<String> payloads(String aggregate, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> aggregate + "#" + i).toList();
    }

    private static String payload(TrackedEventMessage<?> event) {
        return (String) event.getPayload();
    }
}
