package org.sagaengine.platform.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.annotation.AnnotatedHandlerInspector;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.platform.ConnectionCalls;
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

    private ConnectionCalls counted;
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
        counted = new ConnectionCalls(postgres.getPostgresDatabase());
        jdbc = JdbcClient.create(counted.dataSource());
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
        batch(new DataSourceTransactionManager(counted.dataSource()));
        assertThat(seen()).containsExactly("a", "b", "c", "dead letter of a");
        assertThat(counted.calls("setSavepoint")).as("savepoints").isEqualTo(4);
        assertThat(counted.calls("rollback(Savepoint)")).as("rollbacks to a savepoint").isEqualTo(1);
        assertThat(counted.calls("releaseSavepoint")).as("savepoints released").isZero();
    }

    @Test
    void withAnotherTransactionManagerEachHandlerIsANestedTransaction() {
        DataSourceTransactionManager jdbcTransactions = new DataSourceTransactionManager(counted.dataSource());
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
        assertThat(counted.calls("setSavepoint")).isEqualTo(4);
        assertThat(counted.calls("releaseSavepoint")).as("savepoints released, the one rolled back to as well")
                                                      .isEqualTo(4);
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
}
