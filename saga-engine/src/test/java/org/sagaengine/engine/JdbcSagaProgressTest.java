package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaProgress.Due;
import org.sagaengine.engine.SagaProgress.Entered;
import org.sagaengine.engine.SagaProgress.Entry;
import org.sagaengine.engine.SagaProgress.Note;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Progress in real PostgreSQL, with the tables as docs/engine.md gives them: what one handler reports is written in
 * one statement, in the order it was reported; and the counts admission reads, of the sagas of a type that have not
 * ended, and of those this process saw end.
 */
class JdbcSagaProgressTest {

    static TestDatabase database;

    @BeforeAll
    static void createTheProgressTables() throws IOException {
        database = TestDatabase.with("""
                 create table saga_step (
                     saga_type varchar(32) not null, saga_key varchar(64) not null,
                     step varchar(32) not null, state varchar(16) not null, detail varchar(500),
                     started_at timestamptz not null, updated_at timestamptz not null, due_at timestamptz,
                     primary key (saga_type, saga_key));
                 create table saga_timeline (
                     id bigserial primary key, saga_type varchar(32) not null, saga_key varchar(64) not null,
                     at timestamptz not null, kind varchar(16) not null, name varchar(64) not null,
                     detail varchar(500))
                 """);
    }

    @AfterAll
    static void stop() throws IOException {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void countsTheSagasNotEndedAndTheOnesThisProcessSawEnd() {
        JdbcSagaProgress progress = new JdbcSagaProgress(database.jdbc, new SimpleMeterRegistry());
        progress.entered("trip", "t1", "HOLDING_SEATS", "RUNNING", null);
        progress.entered("trip", "t2", "HOLDING_SEATS", "RUNNING", null);
        progress.entered("visa", "v1", "CHECKING", "RUNNING", null);
        assertThat(progress.unfinished("trip")).hasValue(2);
        assertThat(progress.ended("trip")).hasValue(0);

        progress.entered("trip", "t1", "COMPENSATING", "COMPENSATING", "seat refused");
        assertThat(progress.unfinished("trip")).as("compensating has not ended").hasValue(2);
        progress.entered("trip", "t1", "CANCELLED", "CANCELLED", "seat refused");
        progress.entered("trip", "t2", "BOOKED", "BOOKED", null);

        assertThat(progress.unfinished("trip")).hasValue(0);
        assertThat(progress.ended("trip")).hasValue(2);
        assertThat(progress.unfinished("visa")).hasValue(1);
        assertThat(progress.ended("visa")).hasValue(0);
    }

    @Test
    void whatOneHandlerReportsIsOneStatementInTheOrderReported() {
        AtomicInteger statements = new AtomicInteger();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JdbcSagaProgress progress = new JdbcSagaProgress(counting(statements), meters);

        progress.reported("tour", "t9", List.of(new Note(Entry.REPLY, "TripPlanned", null),
                                                new Entered("HOLDING_SEATS", "RUNNING", "2 seats"),
                                                new Due(Duration.ofSeconds(30)),
                                                new Note(Entry.COMMAND, "HoldSeat", "ann"),
                                                new Note(Entry.COMMAND, "HoldSeat", "bob")));
        assertThat(statements).as("statements for a step entered").hasValue(1);
        assertThat(step("t9")).isEqualTo("HOLDING_SEATS RUNNING 2 seats");
        assertThat(dueAt("t9")).isCloseTo(Instant.now().plusSeconds(30), within(5, ChronoUnit.SECONDS));
        assertThat(timeline("t9")).containsExactly("REPLY TripPlanned", "STEP HOLDING_SEATS 2 seats",
                                                   "COMMAND HoldSeat ann", "COMMAND HoldSeat bob");
        assertThat(meters.counter("sagaengine.sagas.started", "type", "tour").count()).isEqualTo(1);

        progress.reported("tour", "t9", List.of(new Note(Entry.REPLY, "SeatRefused", "bob"),
                                                new Due(null),
                                                new Entered("COMPENSATING", "COMPENSATING", "seat refused"),
                                                new Note(Entry.COMPENSATION, "ReleaseSeat", "ann"),
                                                new Due(Duration.ofSeconds(10))));
        assertThat(statements).hasValue(2);
        assertThat(step("t9")).isEqualTo("COMPENSATING COMPENSATING seat refused");
        assertThat(dueAt("t9")).as("the last due reported").isCloseTo(Instant.now().plusSeconds(10),
                                                                       within(5, ChronoUnit.SECONDS));

        progress.reported("tour", "t9", List.of(new Note(Entry.DEADLINE, "compensation-retry", null),
                                                new Due(Duration.ofSeconds(10))));
        progress.reported("tour", "t9", List.of(new Note(Entry.REPLY, "SeatReleased", "ann")));
        progress.reported("tour", "t9", List.of(new Due(null)));
        assertThat(statements).as("statements for reports without a step").hasValue(5);
        assertThat(dueAt("t9")).isNull();

        progress.reported("tour", "t9", List.of(new Entered("CANCELLING_TRIP", "COMPENSATING", null),
                                                new Entered("CANCELLED", "CANCELLED", "seat refused")));
        assertThat(statements).hasValue(6);
        assertThat(step("t9")).isEqualTo("CANCELLED CANCELLED seat refused");
        assertThat(timeline("t9")).containsExactly("REPLY TripPlanned", "STEP HOLDING_SEATS 2 seats",
                                                   "COMMAND HoldSeat ann", "COMMAND HoldSeat bob",
                                                   "REPLY SeatRefused bob", "STEP COMPENSATING seat refused",
                                                   "COMPENSATION ReleaseSeat ann", "DEADLINE compensation-retry",
                                                   "REPLY SeatReleased ann", "STEP CANCELLING_TRIP",
                                                   "STEP CANCELLED seat refused");
        assertThat(meters.counter("sagaengine.sagas.started", "type", "tour").count()).isEqualTo(1);
        assertThat(meters.counter("sagaengine.sagas.compensated", "type", "tour").count()).isEqualTo(1);
        assertThat(meters.counter("sagaengine.sagas.cancelled", "type", "tour").count()).isEqualTo(1);
        assertThat(meters.find("sagaengine.saga.step").timers())
                .as("a timer for each step left").hasSize(3)
                .allSatisfy(timer -> assertThat(timer.count()).isEqualTo(1));
    }

    private static String step(String key) {
        return database.jdbc.sql("select concat_ws(' ', step, state, detail) from saga_step where saga_key = ?")
                            .param(key).query(String.class).single();
    }

    private static Instant dueAt(String key) {
        return database.jdbc.sql("select due_at from saga_step where saga_key = ?")
                            .param(key)
                            .query((row, n) -> row.getTimestamp(1) == null ? null : row.getTimestamp(1).toInstant())
                            .list().get(0);
    }

    private static List<String> timeline(String key) {
        return database.jdbc.sql("select concat_ws(' ', kind, name, detail) from saga_timeline where saga_key = ? "
                                         + "order by id")
                            .param(key).query(String.class).list();
    }

    /** The database, counting every statement its template runs. */
    private static JdbcClient counting(AtomicInteger statements) {
        return JdbcClient.create(new JdbcTemplate(database.dataSource()) {
            @Override
            protected void applyStatementSettings(Statement statement) throws SQLException {
                statements.incrementAndGet();
                super.applyStatementSettings(statement);
            }
        });
    }
}
