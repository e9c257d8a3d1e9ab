package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Progress in real PostgreSQL, with the tables as docs/engine.md gives them: the counts admission reads, of the sagas
 * of a type that have not ended, and of those this process saw end.
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
}
