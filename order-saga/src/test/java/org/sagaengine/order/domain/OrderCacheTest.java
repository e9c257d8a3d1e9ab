package org.sagaengine.order.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sagaengine.order.api.CancelOrder;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.PlaceOrder;
import org.sagaengine.platform.BoundedCache;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Orders kept in memory between their commands, on the service's event store schema in real PostgreSQL: the saga's
 * {@code ConfirmOrder} finds the order {@code PlaceOrder} created without reading its events again, an order the cache
 * has given up is read again, and so is one whose command was refused: its unit of work rolled back, and the order
 * kept with it.
 */
class OrderCacheTest {

    static final List<OrderLine> LINES = List.of(new OrderLine("espresso", 2, 1_250));

    static EmbeddedPostgres postgres;
    static DataSource events;

    /** How many times the repository read an aggregate's events from the store. */
    final AtomicInteger reads = new AtomicInteger();
    Configuration axon;
    /** The store itself, not counted: what the test reads. */
    EventStore store;

    @BeforeAll
    static void startTheEventsDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        events = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(events).locations("classpath:db/events").load().migrate();
    }

    @AfterAll
    static void stopIt() throws IOException {
        postgres.close();
    }

    @AfterEach
    void shutDown() {
        if (axon != null) {
            axon.shutdown();
        }
    }

    @Test
    void confirmingAnOrderJustPlacedReadsNoEvents() {
        CommandGateway commands = orders(new BoundedCache(10_000));
        String order = placed(commands);

        commands.sendAndWait(new ConfirmOrder(order));

        assertThat(reads).as("events read for the order").hasValue(0);
        assertThat(payloadsOf(order)).containsExactly(OrderPlaced.class, OrderConfirmed.class);
    }

    @Test
    void withoutTheCacheConfirmingReadsTheOrdersEvents() {
        CommandGateway commands = orders(null);
        String order = placed(commands);

        commands.sendAndWait(new ConfirmOrder(order));

        assertThat(reads).as("events read for the order").hasValue(1);
        assertThat(payloadsOf(order)).containsExactly(OrderPlaced.class, OrderConfirmed.class);
    }

    @Test
    void anOrderTheCacheGaveUpIsReadAgain() {
        CommandGateway commands = orders(new BoundedCache(1));
        String first = placed(commands);
        String second = placed(commands);

        commands.sendAndWait(new ConfirmOrder(first));

        assertThat(reads).as("the first order, given up for the second, read again").hasValue(1);
        assertThat(payloadsOf(first)).containsExactly(OrderPlaced.class, OrderConfirmed.class);
        assertThat(payloadsOf(second)).containsExactly(OrderPlaced.class);
    }

    @Test
    void aRefusedCommandGivesUpTheKeptOrderAndTheNextReadsItAgain() {
        CommandGateway commands = orders(new BoundedCache(10_000));
        String order = placed(commands);
        commands.sendAndWait(new ConfirmOrder(order));

        assertThatThrownBy(() -> commands.sendAndWait(new CancelOrder(order)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CONFIRMED");
        // The refusal rolled its unit of work back, and with it the kept order. Confirmed already, the order read from
        // its events takes a second confirmation without a new event.
        commands.sendAndWait(new ConfirmOrder(order));

        assertThat(reads).as("the order read again after the refusal").hasValue(1);
        assertThat(payloadsOf(order)).containsExactly(OrderPlaced.class, OrderConfirmed.class);
    }

    private String placed(CommandGateway commands) {
        String order = UUID.randomUUID().toString();
        commands.sendAndWait(new PlaceOrder(order, "alice", "EUR", LINES));
        return order;
    }

    private List<Class<?>> payloadsOf(String order) {
        return store.readEvents(order).asStream().map(EventMessage::getPayloadType)
                   .<Class<?>>map(type -> type).toList();
    }

    /** Axon with the Order aggregate on the events database, with the cache given or none. */
    private CommandGateway orders(Cache cache) {
        TransactionManager transactions = new SpringTransactionManager(new DataSourceTransactionManager(events));
        Serializer serializer = JacksonSerializer.defaultSerializer();
        store = EmbeddedEventStore.builder()
                                             .storageEngine(JdbcEventStorageEngine.builder()
                                                                                  .connectionProvider(
                                                                                          new SpringDataSourceConnectionProvider(
                                                                                                  events))
                                                                                  .transactionManager(transactions)
                                                                                  .eventSerializer(serializer)
                                                                                  .snapshotSerializer(serializer)
                                                                                  .dataType(byte[].class)
                                                                                  .build())
                                             .build();
        AggregateConfigurer<Order> order = AggregateConfigurer.defaultConfiguration(Order.class);
        if (cache != null) {
            order.configureCache(c -> cache);
        }
        // Without the modules found on the class path: Axon Server's connector would take the command bus.
        axon = DefaultConfigurer.defaultConfiguration(false)
                                .configureEventStore(c -> counting(store))
                                .configureSerializer(c -> serializer)
                                .configureTransactionManager(c -> transactions)
                                .configureAggregate(order)
                                .buildConfiguration();
        axon.start();
        return axon.commandGateway();
    }

    /** The store, counting the repository's reads of one aggregate's events. */
    private EventStore counting(EventStore store) {
        return (EventStore) Proxy.newProxyInstance(
                EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("readEvents") && arguments != null && arguments.length > 0
                            && arguments[0] instanceof String) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
