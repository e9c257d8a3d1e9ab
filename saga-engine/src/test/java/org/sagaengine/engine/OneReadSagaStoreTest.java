package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValuesImpl;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.modelling.saga.repository.jdbc.JdbcSagaStore;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A saga is loaded with one query, on real PostgreSQL, and loads as Axon's own JDBC saga store loads it: its state,
 * and the associations of its type only, as they stand after updates.
 */
class OneReadSagaStoreTest {

    /** Axon's saga tables, as order-saga's migration creates them. */
    private static final String TABLES = """
            create table sagaentry (sagaid varchar(255) primary key, revision varchar(255), sagatype varchar(255),
                                    serializedsaga bytea);
            create table associationvalueentry (id bigserial primary key, associationkey varchar(255) not null,
                                                associationvalue varchar(255), sagaid varchar(255) not null,
                                                sagatype varchar(255));
            """;

    private static TestDatabase database;

    private final JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    private final AtomicInteger queries = new AtomicInteger();
    private OneReadSagaStore store;
    private JdbcSagaStore axons;

    /** A saga's state, as a saga type stores it. */
    public static final class Shipment {
        public String orderId;
        public int step;

        public Shipment() {
        }

        Shipment(String orderId, int step) {
            this.orderId = orderId;
            this.step = step;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.with(TABLES);
    }

    @AfterAll
    static void stop() throws Exception {
        database.close();
    }

    @BeforeEach
    void empty() {
        database.jdbc.sql("truncate sagaentry, associationvalueentry").update();
        ConnectionProvider plain = () -> database.dataSource().getConnection();
        store = OneReadSagaStore.of(countingQueries(plain), new SagaSchema(), serializer);
        axons = JdbcSagaStore.builder().connectionProvider(plain).serializer(serializer).build();
    }

    @Test
    void aSagaIsLoadedWithOneQueryWithItsStateAndTheAssociationsOfItsTypeOnly() {
        store.insertSaga(Shipment.class, "saga-1", new Shipment("order-1", 3),
                         Set.of(new AssociationValue("orderId", "order-1"), new AssociationValue("returnId", "r-9")));
        store.insertSaga(Shipment.class, "saga-2", new Shipment("order-2", 1),
                         Set.of(new AssociationValue("orderId", "order-2")));
        database.jdbc.sql("insert into associationvalueentry (associationkey, associationvalue, sagaid, sagatype) "
                          + "values ('orderId', 'order-1', 'saga-1', 'another.Type')").update();
        queries.set(0);

        SagaStore.Entry<Shipment> loaded = store.loadSaga(Shipment.class, "saga-1");

        assertThat(queries).as("statements prepared for the load").hasValue(1);
        assertThat(loaded.saga().orderId).isEqualTo("order-1");
        assertThat(loaded.saga().step).isEqualTo(3);
        assertThat(loaded.associationValues()).as("its type's associations")
                .containsExactlyInAnyOrder(new AssociationValue("orderId", "order-1"),
                                           new AssociationValue("returnId", "r-9"));
        assertThat(loaded.associationValues())
                .isEqualTo(axons.loadSaga(Shipment.class, "saga-1").associationValues());
    }

    @Test
    void aSagaWithoutAssociationsLoadsWithNoneAndAnUnknownOneNotAtAll() {
        store.insertSaga(Shipment.class, "saga-1", new Shipment("order-1", 5), Set.of());

        SagaStore.Entry<Shipment> loaded = store.loadSaga(Shipment.class, "saga-1");

        assertThat(loaded.saga().step).isEqualTo(5);
        assertThat(loaded.associationValues()).isEmpty();
        assertThat(store.loadSaga(Shipment.class, "saga-unknown")).isNull();
        assertThat(axons.loadSaga(Shipment.class, "saga-unknown")).isNull();
    }

    @Test
    void aSagaLoadsAsItWasLastUpdatedWithTheAssociationsAddedAndWithoutTheOnesRemoved() {
        store.insertSaga(Shipment.class, "saga-1", new Shipment("order-1", 1),
                         Set.of(new AssociationValue("orderId", "order-1"), new AssociationValue("paymentId", "p-1")));
        AssociationValuesImpl associations = new AssociationValuesImpl(
                Set.of(new AssociationValue("orderId", "order-1"), new AssociationValue("paymentId", "p-1")));
        associations.remove(new AssociationValue("paymentId", "p-1"));
        associations.add(new AssociationValue("refundId", "f-1"));
        store.updateSaga(Shipment.class, "saga-1", new Shipment("order-1", 2), associations);

        SagaStore.Entry<Shipment> loaded = store.loadSaga(Shipment.class, "saga-1");

        assertThat(loaded.saga().step).isEqualTo(2);
        assertThat(loaded.associationValues())
                .containsExactlyInAnyOrder(new AssociationValue("orderId", "order-1"),
                                           new AssociationValue("refundId", "f-1"))
                .isEqualTo(axons.loadSaga(Shipment.class, "saga-1").associationValues());
        assertThat(store.findSagas(Shipment.class, new AssociationValue("refundId", "f-1"))).containsExactly("saga-1");

        store.deleteSaga(Shipment.class, "saga-1", loaded.associationValues());
        assertThat(store.loadSaga(Shipment.class, "saga-1")).as("a deleted saga").isNull();
    }

    /** The connections, counting each statement prepared on them. */
    private ConnectionProvider countingQueries(ConnectionProvider connections) {
        return () -> {
            Connection connection = connections.getConnection();
            return (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement")) {
                            queries.incrementAndGet();
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException failure) {
                            throw failure.getCause();
                        }
                    });
        };
    }
}
