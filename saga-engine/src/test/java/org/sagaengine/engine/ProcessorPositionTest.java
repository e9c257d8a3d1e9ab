package org.sagaengine.engine;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * How far a saga processor has read, as a deadline asks it, with Axon's tracking processors, its JDBC event store and
 * its JDBC token store on real PostgreSQL. A segment this process does not hold (the service has just started and its
 * processor has not claimed it yet, or another instance of the service runs it) has read only as far as its stored
 * token goes, so a deadline that falls due then does not act on a reply that is stored and not yet read.
 */
class ProcessorPositionTest {

    private static final String PROCESSOR = "TripSagaProcessor";
    private static final Duration SOON = Duration.ofSeconds(20);

    static TestDatabase database;

    private final Serializer serializer = JacksonSerializer.defaultSerializer();
    private final List<TrackingEventProcessor> started = new ArrayList<>();
    private TransactionManager transactions;
    private ConnectionProvider connections;
    private EmbeddedEventStore events;

    @BeforeAll
    static void startTheDatabase() throws IOException {
        database = TestDatabase.with("set search_path to public");
    }

    @AfterAll
    static void stopTheDatabase() throws IOException {
        database.close();
    }

    @BeforeEach
    void anEventStoreAndATokenStoreAsAxonKeepsThem() {
        database.jdbc.sql("drop table if exists domainevententry, snapshotevententry, tokenentry").update();
        transactions = new SpringTransactionManager(new DataSourceTransactionManager(database.dataSource()));
        connections = new SpringDataSourceConnectionProvider(database.dataSource());
        JdbcEventStorageEngine storage = JdbcEventStorageEngine.builder()
                                                               .connectionProvider(connections)
                                                               .transactionManager(transactions)
                                                               .eventSerializer(serializer)
                                                               .snapshotSerializer(serializer)
                                                               .build();
        storage.createSchema(PostgresEventTableFactory.INSTANCE);
        tokenStore("setup").createSchema(PostgresTokenTableFactory.INSTANCE);
        events = EmbeddedEventStore.builder().storageEngine(storage).build();
    }

    @AfterEach
    void stopTheProcessors() {
        started.forEach(TrackingEventProcessor::shutDown);
        events.shutDown();
    }

    @Test
    void aProcessorThatHoldsNoSegmentHasReadWhatItsStoredTokensSayAndNoMore() {
        TrackingEventProcessor processor = processor("node-1", 2);
        StreamPosition position = positionOf(processor);
        processor.start();
        long firstTen = publish(10);
        await().atMost(SOON).until(() -> position.hasRead(firstTen));
        processor.shutDown();
        assertThat(processor.processingStatus()).as("segments held after the shutdown").isEmpty();

        long fiveMore = publish(5);
        assertThat(position.readUpTo()).as("what the segments held here have read").isEmpty();
        assertThat(position.hasRead(firstTen)).as("read up to what was stored before the shutdown").isTrue();
        assertThat(position.hasRead(fiveMore)).as("read up to what was stored after the shutdown").isFalse();

        processor.start();
        await().atMost(SOON).until(() -> position.hasRead(fiveMore));
    }

    @Test
    void aSegmentHeldByAnotherInstanceCountsAsFarAsItsStoredToken() {
        TrackingEventProcessor here = processor("node-1", 1);
        TrackingEventProcessor elsewhere = processor("node-2", 1);
        StreamPosition position = positionOf(here);
        here.start();
        await().atMost(SOON).until(() -> here.processingStatus().size() == 1);
        elsewhere.start();
        await().atMost(SOON).until(() -> elsewhere.processingStatus().size() == 1);
        long firstTen = publish(10);
        await().atMost(SOON).until(() -> position.hasRead(firstTen));

        elsewhere.shutDown();
        long fiveMore = publish(5);
        await().atMost(SOON).until(() -> position.readUpTo().orElse(-1) >= fiveMore);
        assertThat(position.hasRead(fiveMore)).as("read up to what the other instance had not read").isFalse();
        assertThat(position.hasRead(firstTen)).isTrue();

        elsewhere.start();
        await().atMost(SOON).until(() -> position.hasRead(fiveMore));
    }

    @Test
    void aTokenStoreThatCannotBeReadMeansNotRead() {
        TrackingEventProcessor processor = processor("node-1", 2);
        StreamPosition position = StreamPosition.of(() -> events, () -> processor, name -> {
            throw new IllegalStateException("the database is out of reach");
        });
        long stored = publish(1);
        assertThat(position.hasRead(stored)).isFalse();
        processor.start();
        await().atMost(SOON).until(() -> position.hasRead(stored));
    }

    private StreamPosition positionOf(TrackingEventProcessor processor) {
        return StreamPosition.of(() -> events, () -> processor,
                                 new JdbcStoredPositions(database.jdbc, () -> serializer));
    }

    /** Publishes events and returns the position of the last. */
    private long publish(int count) {
        for (int i = 0; i < count; i++) {
            events.publish(GenericEventMessage.asEventMessage("event " + i));
        }
        return events.createHeadToken().position().orElseThrow();
    }

    private JdbcTokenStore tokenStore(String node) {
        return JdbcTokenStore.builder()
                             .connectionProvider(connections)
                             .serializer(serializer)
                             .nodeId(node)
                             .build();
    }

    /** A processor in two segments, run by {@code threads} threads, one segment each, as one instance of a service. */
    private TrackingEventProcessor processor(String node, int threads) {
        Object handler = new Object() {
            @EventHandler
            void on(String event) {
            }
        };
        TrackingEventProcessor processor =
                TrackingEventProcessor.builder()
                                      .name(PROCESSOR)
                                      .eventHandlerInvoker(SimpleEventHandlerInvoker.builder()
                                                                                    .eventHandlers(handler).build())
                                      .messageSource(events)
                                      .tokenStore(tokenStore(node))
                                      .transactionManager(transactions)
                                      .trackingEventProcessorConfiguration(
                                              TrackingEventProcessorConfiguration
                                                      .forParallelProcessing(threads)
                                                      .andInitialSegmentsCount(2)
                                                      .andTokenClaimInterval(200, MILLISECONDS))
                                      .build();
        started.add(processor);
        return processor;
    }
}
