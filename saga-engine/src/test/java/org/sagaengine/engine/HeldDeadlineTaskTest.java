package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.ScopeAware;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.modelling.command.AggregateScopeDescriptor;
import org.axonframework.modelling.saga.SagaScopeDescriptor;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines persisted by db-scheduler in real PostgreSQL, delivered by Axon's deadline manager through
 * {@link HeldDeadlineTask}: a saga's deadline that falls due while its processor is behind stays in the schedule,
 * under its id, and reaches no saga until the processor has read what was stored before it fell due.
 */
class HeldDeadlineTaskTest {

    private static final String SAGA_TYPE = "TripSaga";
    private static final Duration SOON = Duration.ofMillis(100);

    static TestDatabase database;

    /** A deadline as a scope received it, with the position the gate handed it. */
    record Delivered(String name, ScopeDescriptor scope, OptionalLong waitedFor) {
    }

    /** The trip sagas' event stream: how far it goes, and how far their processor has read it. */
    private final MovableStream trips = new MovableStream();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final Serializer serializer = JacksonSerializer.defaultSerializer();
    private Scheduler scheduler;
    private DbSchedulerDeadlineManager deadlines;

    @BeforeAll
    static void createTheSchedulersTable() throws IOException {
        database = TestDatabase.with("""
                 create table scheduled_tasks (
                     task_name            text                     not null,
                     task_instance        text                     not null,
                     task_data            bytea,
                     execution_time       timestamp with time zone not null,
                     picked               boolean                  not null,
                     picked_by            text,
                     last_success         timestamp with time zone,
                     last_failure         timestamp with time zone,
                     consecutive_failures integer,
                     last_heartbeat       timestamp with time zone,
                     version              bigint                   not null,
                     primary key (task_name, task_instance))
                 """);
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void startScheduler() {
        SagaDeadlineGate gate = new SagaDeadlineGate(Map.of(SAGA_TYPE, trips));
        ScopeAware everyScope = new ScopeAware() {
            @Override
            public void send(Message<?> message, ScopeDescriptor scope) {
                delivered.add(new Delivered(((DeadlineMessage<?>) message).getDeadlineName(), scope,
                                            SagaDeadlineGate.waitedFor()));
            }

            @Override
            public boolean canResolve(ScopeDescriptor scope) {
                return true;
            }
        };
        scheduler = Scheduler.create(database.dataSource(), new HeldDeadlineTask(
                                         DbSchedulerDeadlineManager.binaryTask(() -> deadlines), () -> gate,
                                         () -> serializer))
                             .pollingInterval(Duration.ofMillis(100))
                             .threads(2)
                             .build();
        deadlines = DbSchedulerDeadlineManager.builder()
                                              .scheduler(scheduler)
                                              .scopeAwareProvider(scope -> Stream.of(everyScope))
                                              .serializer(serializer)
                                              .startScheduler(true)
                                              .build();
        deadlines.start();
    }

    @AfterEach
    void stopScheduler() {
        scheduler.stop();
        database.jdbc.sql("delete from scheduled_tasks").update();
    }

    @Test
    void aSagasDeadlineRunsWhenDueWhileItsProcessorHasReadEverything() {
        trips.at(5, 5);
        SagaScopeDescriptor trip = new SagaScopeDescriptor(SAGA_TYPE, "trip-1");
        deadlines.schedule(SOON, "step-timeout", null, trip);

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 1);
        assertThat(delivered.get(0)).isEqualTo(new Delivered("step-timeout", trip, OptionalLong.of(5)));
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduled().isEmpty());
    }

    @Test
    void aSagasDeadlineIsHeldUnderItsIdWhileItsProcessorIsBehindAndRunsOnceItHasReadWhatWasStoredWhenItFellDue()
            throws InterruptedException {
        trips.at(10, 4);
        SagaScopeDescriptor trip = new SagaScopeDescriptor(SAGA_TYPE, "trip-2");
        Instant due = Instant.now().plus(SOON);
        String id = deadlines.schedule(due, "forward-retry", null, trip);

        // Held after 1 s, then after 2 s: due again later, same id, never delivered meanwhile.
        await().atMost(Duration.ofSeconds(5)).until(() -> heldUntil(id, due.plusMillis(900)));
        Thread.sleep(1_500);
        assertThat(delivered).as("delivered while the processor is behind").isEmpty();
        assertThat(scheduled()).as("the deadline still scheduled, under its id").containsExactly(id);

        // Events stored since it fell due are not waited for: having read up to 10 is enough.
        trips.at(20, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
        assertThat(delivered.get(0)).isEqualTo(new Delivered("forward-retry", trip, OptionalLong.of(10)));
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduled().isEmpty());
        Thread.sleep(500);
        assertThat(delivered).as("delivered once").hasSize(1);
    }

    @Test
    void aHeldDeadlineCanStillBeCancelledByItsId() throws InterruptedException {
        trips.at(10, 4);
        Instant due = Instant.now().plus(SOON);
        String id = deadlines.schedule(due, "step-timeout", null, new SagaScopeDescriptor(SAGA_TYPE, "trip-3"));
        await().atMost(Duration.ofSeconds(5)).until(() -> heldUntil(id, due.plusMillis(900)));

        deadlines.cancelSchedule("step-timeout", id);
        trips.at(10, 10);
        assertThat(scheduled()).as("scheduled after it was cancelled").isEmpty();
        Thread.sleep(2_500);
        assertThat(delivered).as("delivered after it was cancelled").isEmpty();
    }

    @Test
    void deadlinesOfOtherScopesAreNeverHeld() {
        trips.at(10, 4);
        AggregateScopeDescriptor account = new AggregateScopeDescriptor("Account", "acc-1");
        deadlines.schedule(SOON, "statement-due", null, account);

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 1);
        assertThat(delivered.get(0)).isEqualTo(new Delivered("statement-due", account, OptionalLong.empty()));
    }

    @Test
    void aDeadlineWhoseDeliveryFailsIsTriedAgainWithinSecondsAndDeliveredOnce() throws InterruptedException {
        trips.at(5, 5).unavailableFor(2);
        SagaScopeDescriptor trip = new SagaScopeDescriptor(SAGA_TYPE, "trip-4");
        String id = deadlines.schedule(SOON, "step-timeout", null, trip);

        // Failed once: due again a second later, with the failure counted, still under its id.
        await().atMost(Duration.ofSeconds(5)).until(() -> consecutiveFailures(id) >= 1);
        // Failed after 1 s and then after 2 s more; db-scheduler's default would have waited 5 minutes each time.
        await().atMost(Duration.ofSeconds(15)).until(() -> delivered.size() == 1);
        assertThat(trips.failedReadings()).isEqualTo(2);
        assertThat(delivered.get(0)).isEqualTo(new Delivered("step-timeout", trip, OptionalLong.of(5)));
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduled().isEmpty());
        Thread.sleep(500);
        assertThat(delivered).as("delivered once").hasSize(1);
    }

    @Test
    void retriesBackOffFromASecondToHalfAMinute() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 50).stream().map(HeldDeadlineTask::retryAfter).toList())
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                                 Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30),
                                 Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    private int consecutiveFailures(String id) {
        return database.jdbc.sql("select coalesce(max(consecutive_failures), 0) from scheduled_tasks"
                                + " where task_instance = ?")
                   .param(id).query(Integer.class).single();
    }

    private List<String> scheduled() {
        return database.jdbc.sql("select task_instance from scheduled_tasks").query(String.class).list();
    }

    /** Whether the deadline is scheduled, not being run, and due after {@code after}. */
    private boolean heldUntil(String id, Instant after) {
        return database.jdbc.sql("select count(*) from scheduled_tasks where task_instance = ? and not picked "
                                + "and execution_time > ?")
                   .params(id, java.sql.Timestamp.from(after))
                   .query(Long.class).single() == 1;
    }
}
