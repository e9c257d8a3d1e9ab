package org.sagaengine.engine;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes a saga's step, timeline and next due time into {@code saga_step} and {@code saga_timeline}, inside
 * the saga processor's transaction, and counts sagas and times their steps once that transaction has committed (a
 * batch that is rolled back and handled again is counted once). The service creates the two tables in its own
 * database; docs/engine.md gives their shape. {@link SagaEngineConfiguration} provides it to a service that has a
 * {@link JdbcClient} and no {@link SagaProgress} of its own.
 */
public class JdbcSagaProgress implements SagaProgress {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();

    public JdbcSagaProgress(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = Clock.systemUTC();
        this.meters = meters;
    }

    /**
     * Counts, tagged with the saga type: {@code sagaengine.sagas.started}, {@code sagaengine.sagas.compensated}, and
     * one counter per state a saga ends in, named for it ({@code sagaengine.sagas.confirmed},
     * {@code sagaengine.sagas.rejected}).
     */
    private void count(String sagaType, boolean started, String step, String state) {
        if (started) {
            counter("sagaengine.sagas.started", "sagas started", sagaType).increment();
        }
        if (step.equals("COMPENSATING")) {
            counter("sagaengine.sagas.compensated", "sagas that began compensating", sagaType).increment();
        }
        if (!state.equals("RUNNING") && !state.equals("COMPENSATING")) {
            counter("sagaengine.sagas." + state.toLowerCase(Locale.ROOT), "sagas that ended " + state, sagaType)
                    .increment();
            ended.computeIfAbsent(sagaType, type -> new LongAdder()).increment();
        }
    }

    private Counter counter(String name, String description, String sagaType) {
        return Counter.builder(name).description(description).tag("type", sagaType).register(meters);
    }

    /** One round trip: the step it leaves (for the step timer), the new step, and its timeline entry. */
    @Override
    public void entered(String sagaType, String sagaKey, String step, String state, String detail) {
        Instant now = clock.instant();
        Optional<StepLeft> previous = jdbc.sql("""
                with previous as (select step, updated_at from saga_step where saga_type = :type and saga_key = :key),
                     entered as (insert into saga_step (saga_type, saga_key, step, state, detail, started_at,
                                                        updated_at)
                                 values (:type, :key, :step, :state, :detail, :now, :now)
                                 on conflict (saga_type, saga_key)
                                 do update set step = excluded.step, state = excluded.state,
                                               detail = excluded.detail, updated_at = excluded.updated_at),
                     noted as (insert into saga_timeline (saga_type, saga_key, at, kind, name, detail)
                               values (:type, :key, :now, 'STEP', :step, :detail))
                select step, updated_at from previous
                """)
                .param("type", sagaType)
                .param("key", sagaKey)
                .param("step", step)
                .param("state", state)
                .param("detail", abbreviate(detail))
                .param("now", Timestamp.from(now))
                .query((row, n) -> new StepLeft(row.getString(1), row.getTimestamp(2).toInstant()))
                .optional();
        afterCommit(() -> {
            count(sagaType, previous.isEmpty(), step, state);
            previous.ifPresent(left -> Timer.builder("sagaengine.saga.step")
                                            .description("how long a saga stayed in a step")
                                            .tag("step", left.step())
                                            .tag("type", sagaType)
                                            .publishPercentileHistogram()
                                            .register(meters)
                                            .record(Duration.between(left.since(), now)));
        });
    }

    private record StepLeft(String step, Instant since) {
    }

    @Override
    public void noted(String sagaType, String sagaKey, Entry kind, String name, String detail) {
        jdbc.sql("insert into saga_timeline (saga_type, saga_key, at, kind, name, detail) values (?, ?, ?, ?, ?, ?)")
            .params(sagaType, sagaKey, Timestamp.from(clock.instant()), kind.name(), name, abbreviate(detail))
            .update();
    }

    @Override
    public void due(String sagaType, String sagaKey, Duration in) {
        jdbc.sql("update saga_step set due_at = ? where saga_type = ? and saga_key = ?")
            .params(in == null ? null : Timestamp.from(clock.instant().plus(in)), sagaType, sagaKey)
            .update();
    }

    @Override
    public boolean hasRun(String sagaType, String sagaKey) {
        return jdbc.sql("select exists (select 1 from saga_step where saga_type = ? and saga_key = ?)")
                   .params(sagaType, sagaKey)
                   .query(Boolean.class)
                   .single();
    }

    @Override
    public OptionalLong unfinished(String sagaType) {
        return OptionalLong.of(jdbc.sql("select count(*) from saga_step where saga_type = ? "
                                                + "and state in ('RUNNING', 'COMPENSATING')")
                                   .params(sagaType)
                                   .query(Long.class)
                                   .single());
    }

    @Override
    public OptionalLong ended(String sagaType) {
        LongAdder count = ended.get(sagaType);
        return OptionalLong.of(count == null ? 0 : count.sum());
    }

    private static String abbreviate(String detail) {
        return detail == null || detail.length() <= 500 ? detail : detail.substring(0, 497) + "...";
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }
}
