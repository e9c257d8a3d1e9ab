package org.sagaengine.platform.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.annotation.AnnotatedHandlerInspector;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each event handler of a batch in a savepoint of the batch's transaction, on real PostgreSQL: a handler whose
 * statement fails is undone alone, what the handlers before and after it wrote commits, and the transaction can still
 * record the failure. With a {@link DataSourceTransactionManager} a savepoint costs one statement, its release none.
 */
class SavepointPerEventHandlerTest {

    static EmbeddedPostgres postgres;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private DataSource counted;
    private JdbcClient jdbc;

    @BeforeAll
    static void startTheDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopIt() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void aProjectionsTable() {
        JdbcClient.create(postgres.getPostgresDatabase())
                  .sql("drop table if exists seen; create table seen (event varchar(16) primary key)").update();
        counted = counting(postgres.getPostgresDatabase());
        jdbc = JdbcClient.create(counted);
    }

    /** A projection that writes a row for each event, and fails on a row it has already written. */
    class Projection {
        @EventHandler
        void on(String event) {
            jdbc.sql("insert into seen (event) values (?)").param(event.replace("again ", "")).update();
        }
    }

    @Test
    void aFailedHandlerIsUndoneAloneAndItsSavepointsAreNotReleasedOneByOne() {
        batch(new DataSourceTransactionManager(counted));
        assertThat(seen()).containsExactly("a", "b", "c", "dead letter of a");
        assertThat(calls("setSavepoint")).as("savepoints").isEqualTo(4);
        assertThat(calls("rollback(Savepoint)")).as("rollbacks to a savepoint").isEqualTo(1);
        assertThat(calls("releaseSavepoint")).as("savepoints released").isZero();
    }

    @Test
    void withAnotherTransactionManagerEachHandlerIsANestedTransaction() {
        DataSourceTransactionManager jdbcTransactions = new DataSourceTransactionManager(counted);
        batch(new PlatformTransactionManager() {
            @Override
            public TransactionStatus getTransaction(TransactionDefinition definition) {
                return jdbcTransactions.getTransaction(definition);
            }

            @Override
            public void commit(TransactionStatus status) {
                jdbcTransactions.commit(status);
            }

            @Override
            public void rollback(TransactionStatus status) {
                jdbcTransactions.rollback(status);
            }
        });
        assertThat(seen()).containsExactly("a", "b", "c", "dead letter of a");
        assertThat(calls("setSavepoint")).isEqualTo(4);
        assertThat(calls("releaseSavepoint")).as("savepoints released, the one rolled back to as well").isEqualTo(4);
    }

    /** A batch of four events in one transaction, the third a duplicate, its failure recorded as a dead letter. */
    private void batch(PlatformTransactionManager transactions) {
        SavepointPerEventHandler savepoints = new SavepointPerEventHandler(transactions);
        Projection projection = new Projection();
        MessageHandlingMember<? super Projection> handler = savepoints.wrapHandler(
                AnnotatedHandlerInspector.inspectType(Projection.class).getHandlers(Projection.class).findFirst()
                                         .orElseThrow());
        new TransactionTemplate(transactions).executeWithoutResult(transaction -> {
            for (String event : List.of("a", "b", "again a", "c")) {
                try {
                    handler.handle(GenericEventMessage.asEventMessage(event), projection);
                } catch (Exception failure) {
                    assertThat(failure).isInstanceOf(DuplicateKeyException.class);
                    jdbc.sql("insert into seen (event) values ('dead letter of a')").update();
                }
            }
        });
    }

    private List<String> seen() {
        return JdbcClient.create(postgres.getPostgresDatabase()).sql("select event from seen order by event")
                         .query(String.class).list();
    }

    private int calls(String name) {
        return calls.getOrDefault(name, new AtomicInteger()).get();
    }

    /** The database, counting the savepoint calls made on its connections. */
    private DataSource counting(DataSource dataSource) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, dataSource, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(
                            Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (c, call, callArgs) -> {
                                String name = call.getName().equals("rollback") && call.getParameterCount() == 1
                                              ? "rollback(Savepoint)" : call.getName();
                                calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                                return invoke(call, connection, callArgs);
                            });
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException failure) {
            throw failure.getCause();
        }
    }
}
