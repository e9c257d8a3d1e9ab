package org.sagaengine.order.saga;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.github.kagkarlsson.scheduler.Scheduler;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.saga.SagaScopeDescriptor;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * A saga's deadlines are scheduled and cancelled in the transaction that stores the saga, on real PostgreSQL with the
 * service's migrations and its scheduler: when that transaction rolls back after the deadline manager has written
 * (the saga's own store failing as it commits, say), the deadline it scheduled is not left behind to fire for a step
 * the saga never entered, and the deadline it cancelled is still there. Axon's deadline manager writes at the unit of
 * work's prepare-commit, after the saga's handler.
 */
class DeadlinesInTheSagaTransactionTest {

    static final ScopeDescriptor SAGA = new SagaScopeDescriptor("OrderSaga", "saga-1");

    static EmbeddedPostgres postgres;
    static DataSource orders;
    static JdbcClient jdbc;

    TransactionManager transactions;
    Scheduler scheduler;
    DbSchedulerDeadlineManager deadlines;

    @BeforeAll
    static void startTheOrdersDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        orders = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(orders).locations("classpath:db/axon", "classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(orders);
    }

    @AfterAll
    static void stopIt() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void aSchedulerAsTheServiceBuildsIt() {
        jdbc.sql("delete from scheduled_tasks").update();
        transactions = new SpringTransactionManager(new DataSourceTransactionManager(orders));
        scheduler = SagaConfiguration.deadlineScheduler(
                orders, DbSchedulerDeadlineManager.binaryTask(() -> deadlines), Duration.ofMinutes(1));
        DbSchedulerDeadlineManager.Builder builder =
                DbSchedulerDeadlineManager.builder()
                                          .scheduler(scheduler)
                                          .scopeAwareProvider(scope -> Stream.empty())
                                          .serializer(JacksonSerializer.defaultSerializer())
                                          .transactionManager(transactions)
                                          .startScheduler(false)
                                          .stopScheduler(false);
        deadlines = new TolerantDeadlineManager(builder, orders);
    }

    @Test
    void aDeadlineScheduledInAUnitOfWorkThatCommitsIsStored() {
        String id = inUnitOfWork(false, () -> deadlines.schedule(inAMinute(), "step-deadline", null, SAGA));

        assertThat(deadlinesStored()).containsExactly(id);
    }

    @Test
    void aDeadlineScheduledInAUnitOfWorkThatRollsBackAfterItWasWrittenIsNotStored() {
        inUnitOfWork(true, () -> deadlines.schedule(inAMinute(), "step-deadline", null, SAGA));

        assertThat(deadlinesStored()).isEmpty();
    }

    @Test
    void aDeadlineCancelledInAUnitOfWorkThatRollsBackAfterItWasWrittenIsStillStored() {
        String id = inUnitOfWork(false, () -> deadlines.schedule(inAMinute(), "step-deadline", null, SAGA));

        inUnitOfWork(true, () -> {
            deadlines.cancelSchedule("step-deadline", id);
            return null;
        });
        assertThat(deadlinesStored()).containsExactly(id);

        inUnitOfWork(false, () -> {
            deadlines.cancelSchedule("step-deadline", id);
            return null;
        });
        assertThat(deadlinesStored()).isEmpty();
    }

    @Test
    void aDeadlineTheSchedulerIsExecutingIsNotCancelledAndTheCancellationDoesNotFailTheUnitOfWork() {
        String firing = inUnitOfWork(false, () -> deadlines.schedule(inAMinute(), "step-deadline", null, SAGA));
        String other = inUnitOfWork(false, () -> deadlines.schedule(inAMinute(), "step-deadline", null, SAGA));
        // What db-scheduler does to a row as it starts to execute it.
        jdbc.sql("update scheduled_tasks set picked = true, picked_by = 'this test', version = version + 1 "
                 + "where task_instance = ?").param(firing).update();

        inUnitOfWork(false, () -> {
            deadlines.cancelSchedule("step-deadline", firing);
            deadlines.cancelSchedule("step-deadline", "a deadline that has fired already");
            deadlines.cancelSchedule("step-deadline", other);
            return null;
        });
        assertThat(deadlinesStored()).as("the one being executed only").containsExactly(firing);
    }

    @Test
    void outsideAUnitOfWorkADeadlineIsStoredAtOnce() {
        String id = deadlines.schedule(inAMinute(), "step-deadline", null, SAGA);

        assertThat(deadlinesStored()).containsExactly(id);
    }

    /**
     * Runs {@code work} in a unit of work with a transaction on the orders database, as a saga processor does; with
     * {@code failAfterWriting}, a step registered after the work fails at prepare-commit, once the deadline manager
     * has written, and the transaction rolls back.
     */
    private <T> T inUnitOfWork(boolean failAfterWriting, Callable<T> work) {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage("an event"));
        unitOfWork.attachTransaction(transactions);
        var result = unitOfWork.executeWithResult(() -> {
            T value = work.call();
            if (failAfterWriting) {
                CurrentUnitOfWork.get().onPrepareCommit(u -> {
                    throw new IllegalStateException("the saga's store failed to save it");
                });
            }
            return value;
        });
        assertThat(result.isExceptional()).as("the unit of work failed").isEqualTo(failAfterWriting);
        return failAfterWriting ? null : result.getPayload();
    }

    private static Instant inAMinute() {
        return Instant.now().plusSeconds(60);
    }

    private static List<String> deadlinesStored() {
        return jdbc.sql("select task_instance from scheduled_tasks").query(String.class).list();
    }
}
