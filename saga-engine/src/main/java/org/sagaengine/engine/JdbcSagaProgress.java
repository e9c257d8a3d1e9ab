package org.sagaengine.engine;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * batch that is rolled back and handled again is counted once). What one handler reports is one statement. The
 * service creates the two tables in its own
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
        reported(sagaType, sagaKey, List.of(new Entered(step, state, detail)));
    }

    /**
     * One statement for all of it: the step the saga leaves (for the step timer), the last step it entered, when it
     * is next due, and the timeline's entries in the order they were reported.
     */
    @Override
    public void reported(String sagaType, String sagaKey, List<Report> reports) {
        Instant now = clock.instant();
        List<Entered> steps = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        params.put("type", sagaType);
        params.put("key", sagaKey);
        params.put("now", Timestamp.from(now));
        Due due = null;
        for (Report report : reports) {
            if (report instanceof Entered entered) {
                steps.add(entered);
                row(rows, params, Entry.STEP, entered.step(), entered.detail());
            } else if (report instanceof Note noted) {
                row(rows, params, noted.kind(), noted.name(), noted.detail());
            } else if (report instanceof Due next) {
                due = next;
            }
        }
        if (due != null) {
            params.put("due", due.in() == null ? null : Timestamp.from(now.plus(due.in())));
        }
        String timeline = rows.isEmpty() ? null
                          : "insert into saga_timeline (saga_type, saga_key, at, kind, name, detail) values "
                            + String.join(", ", rows);
        String dueAt = "update saga_step set due_at = :due where saga_type = :type and saga_key = :key";
        if (steps.isEmpty()) {
            String sql = timeline == null ? dueAt : due == null ? timeline : "with due as (" + dueAt + ") " + timeline;
            jdbc.sql(sql).params(params).update();
            return;
        }
        Entered last = steps.get(steps.size() - 1);
        params.put("step", last.step());
        params.put("state", last.state());
        params.put("detail", abbreviate(last.detail()));
        Optional<StepLeft> previous = jdbc.sql("""
                with previous as (select step, updated_at from saga_step where saga_type = :type and saga_key = :key),
                     entered as (insert into saga_step (saga_type, saga_key, step, state, detail, started_at,
                                                        updated_at, due_at)
                                 values (:type, :key, :step, :state, :detail, :now, :now, %s)
                                 on conflict (saga_type, saga_key)
                                 do update set step = excluded.step, state = excluded.state,
                                               detail = excluded.detail, updated_at = excluded.updated_at,
                                               due_at = %s),
                     noted as (%s)
                select step, updated_at from previous
                """.formatted(due == null ? "null" : ":due", due == null ? "saga_step.due_at" : ":due", timeline))
                .params(params)
                .query((row, n) -> new StepLeft(row.getString(1), row.getTimestamp(2).toInstant()))
                .optional();
        afterCommit(() -> stepsEntered(sagaType, previous, steps, now));
    }

    /** A row of the timeline's insert, and its parameters. */
    private static void row(List<String> rows, Map<String, Object> params, Entry kind, String name, String detail) {
        int row = rows.size();
        rows.add("(:type, :key, :now, :kind" + row + ", :name" + row + ", :detail" + row + ")");
        params.put("kind" + row, kind.name());
        params.put("name" + row, name);
        params.put("detail" + row, abbreviate(detail));
    }

    /** Counts each step entered and times each step left: the one stored before, then each entered before the last. */
    private void stepsEntered(String sagaType, Optional<StepLeft> stored, List<Entered> steps, Instant now) {
        Optional<StepLeft> left = stored;
        for (Entered entered : steps) {
            count(sagaType, left.isEmpty(), entered.step(), entered.state());
            left.ifPresent(step -> Timer.builder("sagaengine.saga.step")
                                        .description("how long a saga stayed in a step")
                                        .tag("step", step.step())
                                        .tag("type", sagaType)
                                        .publishPercentileHistogram()
                                        .register(meters)
                                        .record(Duration.between(step.since(), now)));
            left = Optional.of(new StepLeft(entered.step(), now));
        }
    }

    private record StepLeft(String step, Instant since) {
    }

    @Override
    public void noted(String sagaType, String sagaKey, Entry kind, String name, String detail) {
        reported(sagaType, sagaKey, List.of(new Note(kind, name, detail)));
    }

    @Override
    public void due(String sagaType, String sagaKey, Duration in) {
        reported(sagaType, sagaKey, List.of(new Due(in)));
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
