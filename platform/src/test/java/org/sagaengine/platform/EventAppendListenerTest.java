package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The events table tells the listening services of every append at its commit, and only then: a transaction that
 * rolls back, or has not committed yet, tells nobody.
 */
class EventAppendListenerTest {

    @RegisterExtension
    static final EventsTestDatabase database = new EventsTestDatabase();

    @Test
    void anAppendWakesTheListenerWhenItCommitsAndNotBefore() throws Exception {
        Semaphore woken = new Semaphore(0);
        EventAppendListener listener = new EventAppendListener(database.dataSource(), woken::release,
                                                               Duration.ofMillis(20), 10);
        listener.start();
        try {
            // On connecting it wakes once, for whatever was appended while nobody listened.
            assertThat(woken.tryAcquire(10, TimeUnit.SECONDS)).as("woken on connecting").isTrue();

            try (Connection appending = database.dataSource().getConnection();
                 Statement sql = appending.createStatement()) {
                appending.setAutoCommit(false);
                sql.executeUpdate(append("a-1", 0));
                sql.executeUpdate(append("a-1", 1));
                assertThat(woken.tryAcquire(1, TimeUnit.SECONDS)).as("woken before the commit").isFalse();
                appending.commit();
                assertThat(woken.tryAcquire(5, TimeUnit.SECONDS)).as("woken at the commit").isTrue();

                sql.executeUpdate(append("a-2", 0));
                appending.rollback();
                assertThat(woken.tryAcquire(1, TimeUnit.SECONDS)).as("woken by a rollback").isFalse();
            }
            assertThat(listener.isRunning()).isTrue();
        } finally {
            listener.stop();
        }
        assertThat(listener.isRunning()).isFalse();
    }

    @Test
    void appendsInQuickSuccessionBeyondTheBurstAreReadTogether() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        Semaphore woken = new Semaphore(0);
        EventAppendListener listener = new EventAppendListener(database.dataSource(), () -> {
            wakes.incrementAndGet();
            woken.release();
        }, Duration.ofMillis(500), 1);
        listener.start();
        try {
            assertThat(woken.tryAcquire(10, TimeUnit.SECONDS)).as("woken on connecting").isTrue();
            Thread.sleep(600);
            wakes.set(0);
            try (Connection appending = database.dataSource().getConnection();
                 Statement sql = appending.createStatement()) {
                for (int i = 0; i < 10; i++) {
                    sql.executeUpdate(append("b-" + i, 0));
                }
            }
            assertThat(woken.tryAcquire(5, TimeUnit.SECONDS)).as("woken by the first append").isTrue();
            Thread.sleep(1_500);
            assertThat(wakes.get()).as("wakes for 10 appends in quick succession").isBetween(1, 4);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aChainOfSingleAppendsWithinTheBurstIsReadAtOnceEach() throws Exception {
        Semaphore woken = new Semaphore(0);
        Duration interval = Duration.ofSeconds(3);
        EventAppendListener listener = new EventAppendListener(database.dataSource(), woken::release, interval, 5);
        listener.start();
        try {
            assertThat(woken.tryAcquire(10, TimeUnit.SECONDS)).as("woken on connecting").isTrue();
            try (Connection appending = database.dataSource().getConnection();
                 Statement sql = appending.createStatement()) {
                // As a saga's steps append: one event, read, and only then the next.
                for (int step = 0; step < 5; step++) {
                    sql.executeUpdate(append("c-" + step, 0));
                    assertThat(woken.tryAcquire(1, TimeUnit.SECONDS))
                            .as("append %d read at once, not an interval later", step + 1).isTrue();
                }
                sql.executeUpdate(append("c-5", 0));
                assertThat(woken.tryAcquire(1, TimeUnit.SECONDS)).as("the sixth, past the burst, at once").isFalse();
                assertThat(woken.tryAcquire(interval.toSeconds() + 1, TimeUnit.SECONDS))
                        .as("the sixth, within the interval").isTrue();
            }
        } finally {
            listener.stop();
        }
    }

    private static String append(String aggregate, int sequence) {
        return """
                insert into domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier, payload,
                                              payloadtype, timestamp)
                values ('%s', %d, 'Test', gen_random_uuid()::text, '\\x7b7d', 'Test', '2026-11-29T10:00:00Z')
                """.formatted(aggregate, sequence);
    }
}
