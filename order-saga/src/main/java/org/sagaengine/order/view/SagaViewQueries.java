package org.sagaengine.order.view;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaEngineConfiguration;
import org.sagaengine.engine.SagaTimeouts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The saga view's queries, for sagas of every type: every saga with its type, key, state, step, age and what is
 * overdue, paged and served by indexes on {@code saga_step}, and one saga's timeline. A saga is stuck when it still
 * runs or compensates well after its deadline or retry was due, when it has stayed in one step, resending, for longer
 * than {@code sagaengine.saga.stuck-after}, or when one of its events waits as a dead letter. The number of stuck
 * sagas is the gauge {@code sagaengine_sagas_stuck}.
 */
@Repository
public class SagaViewQueries {

    /** How late a deadline may fire before its saga counts as stuck: a poll of the deadline table, and then some. */
    static final Duration GRACE = Duration.ofSeconds(5);

    public record SagaSummary(String type, String key, String state, String step, String detail,
                              OffsetDateTime startedAt, OffsetDateTime updatedAt, OffsetDateTime dueAt,
                              boolean overdue, int deadLetters) {
    }

    /** One entry; {@code millisSinceStart} counts from the saga's first entry, the event it began with. */
    public record TimelineEntry(OffsetDateTime at, String kind, String name, String detail, long millisSinceStart) {
    }

    /**
     * A saga and its timeline, with the processing group its dead letters wait in; for an order or a return, also
     * its status, reason, amount and account.
     */
    public record SagaDetail(SagaSummary saga, String processingGroup, String status, String reason, long totalAmount,
                             String currency, String accountId, List<TimelineEntry> timeline) {
    }

    /** What a saga of each type is about, by its key: status, reason, amount, currency, account. */
    private static final Map<String, String> SUBJECTS = Map.of(
            "order", """
                     select status, reason, total_amount, currency, account_id
                       from customer_order where order_id = ?""",
            "return", """
                      select r.status, r.reason, r.amount, r.currency, o.account_id
                        from order_return r join customer_order o on o.order_id = r.order_id
                       where r.return_id = ?""");

    private static final String UNFINISHED = "s.state in ('RUNNING', 'COMPENSATING')";

    private final JdbcClient jdbc;
    private final Map<String, String> processors = new LinkedHashMap<>();
    private final List<String> states = new ArrayList<>(List.of("RUNNING", "COMPENSATING"));
    private final String stuck;
    private final String summary;

    SagaViewQueries(JdbcClient jdbc, SagaTimeouts timeouts, MeterRegistry meters,
                    List<SagaDefinition<?>> definitions) {
        this.jdbc = jdbc;
        definitions.forEach(definition -> processors.put(definition.type(),
                                                         SagaEngineConfiguration.processorName(definition)));
        definitions.forEach(definition -> definition.endStates().stream().filter(state -> !states.contains(state))
                                                    .forEach(states::add));
        states.add("STUCK");
        String letters = """
                select count(*) from deadletterentry d
                 where d.processinggroup = %s and d.sequenceidentifier = s.saga_key""".formatted(processorOfType());
        String pastDue = "(s.due_at < now() - make_interval(secs => " + GRACE.toSeconds() + ")"
                + " or s.updated_at < now() - make_interval(secs => " + timeouts.stuckAfter().toSeconds() + "))";
        this.stuck = UNFINISHED + " and (" + pastDue + " or (" + letters + ") > 0)";
        this.summary = """
                select s.saga_type, s.saga_key, s.state, s.step, s.detail, s.started_at, s.updated_at, s.due_at,
                       (%s) as overdue, (%s) as letters
                  from saga_step s
                """.formatted(UNFINISHED + " and " + pastDue, letters);
        Gauge.builder("sagaengine.sagas.stuck", this, queries -> queries.stuckCount(null))
             .description("sagas past their deadline, resending for longer than stuck-after, or dead-lettered")
             .register(meters);
    }

    /** The dead-letter processing group of each saga type, as SQL over {@code s.saga_type}. */
    private String processorOfType() {
        if (processors.isEmpty()) {
            return "null";
        }
        return processors.entrySet().stream()
                         .map(type -> "when '" + type.getKey() + "' then '" + type.getValue() + "'")
                         .collect(Collectors.joining(" ", "(case s.saga_type ", " end)"));
    }

    /**
     * The states a saga can be in, as the dashboard counts them: running, compensating, the end states of every saga
     * type, and stuck, which counts unfinished sagas a second time.
     */
    public List<String> states() {
        return List.copyOf(states);
    }

    /** The saga types this service runs. */
    public List<String> types() {
        return List.copyOf(processors.keySet());
    }

    public List<SagaSummary> sagas(String type, String state, String keyPrefix, int limit, int offset) {
        Query query = listQuery(type, state, keyPrefix, limit, offset);
        return jdbc.sql(query.sql()).params(query.params()).query(this::summary).list();
    }

    record Query(String sql, List<Object> params) {
    }

    /** The saga list's SQL: each filter is served by an index on {@code saga_step}, newest first. */
    Query listQuery(String type, String state, String keyPrefix, int limit, int offset) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (type != null) {
            conditions.add("s.saga_type = ?");
            params.add(type);
        }
        if ("STUCK".equals(state)) {
            conditions.add(stuck);
        } else if (state != null) {
            conditions.add("s.state = ?");
            params.add(state);
        }
        if (keyPrefix != null && !keyPrefix.isBlank()) {
            conditions.add("s.saga_key like ?");
            params.add(keyPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        String where = conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
        params.add(limit);
        params.add(offset);
        return new Query(summary + where + " order by s.started_at desc, s.saga_key limit ? offset ?", params);
    }

    /** How many sagas of a type (of every type: null) are in each state, and how many unfinished ones are stuck. */
    public Map<String, Long> counts(String type) {
        Map<String, Long> counts = new LinkedHashMap<>();
        states.forEach(state -> counts.put(state, 0L));
        jdbc.sql("select state, count(*) from saga_step s" + (type == null ? "" : " where s.saga_type = ?")
                         + " group by state")
            .params(type == null ? List.of() : List.of(type))
            .query((row, n) -> counts.put(row.getString(1), row.getLong(2)))
            .list();
        counts.put("STUCK", stuckCount(type));
        return counts;
    }

    /** The counts of every saga type this service runs, by type. */
    public Map<String, Map<String, Long>> countsByType() {
        Map<String, Map<String, Long>> byType = new LinkedHashMap<>();
        processors.keySet().forEach(type -> byType.put(type, counts(type)));
        return byType;
    }

    private long stuckCount(String type) {
        return jdbc.sql("select count(*) from saga_step s where " + stuck
                                + (type == null ? "" : " and s.saga_type = ?"))
                   .params(type == null ? List.of() : List.of(type))
                   .query(Long.class).single();
    }

    public Optional<SagaDetail> saga(String type, String key) {
        return jdbc.sql(summary + " where s.saga_type = ? and s.saga_key = ?").params(type, key)
                   .query(this::summary).optional()
                   .map(saga -> {
                       List<TimelineEntry> timeline = jdbc.sql("""
                               select at, kind, name, detail, min(at) over () as first_at
                                 from saga_timeline where saga_type = ? and saga_key = ? order by id
                               """)
                               .params(type, key)
                               .query((row, n) -> {
                                   OffsetDateTime at = row.getObject("at", OffsetDateTime.class);
                                   OffsetDateTime first = row.getObject("first_at", OffsetDateTime.class);
                                   return new TimelineEntry(at, row.getString("kind"), row.getString("name"),
                                                            row.getString("detail"),
                                                            Duration.between(first, at).toMillis());
                               })
                               .list();
                       String group = processors.get(type);
                       String subject = SUBJECTS.get(type);
                       if (subject == null) {
                           return new SagaDetail(saga, group, null, null, 0, null, null, timeline);
                       }
                       return jdbc.sql(subject)
                                  .param(key)
                                  .query((row, n) -> new SagaDetail(saga, group, row.getString(1), row.getString(2),
                                                                    row.getLong(3), row.getString(4),
                                                                    row.getString(5), timeline))
                                  .optional()
                                  .orElse(new SagaDetail(saga, group, null, null, 0, null, null, timeline));
                   });
    }

    private SagaSummary summary(ResultSet row, int rowNumber) throws SQLException {
        return new SagaSummary(row.getString("saga_type"), row.getString("saga_key"), row.getString("state"),
                               row.getString("step"), row.getString("detail"),
                               row.getObject("started_at", OffsetDateTime.class),
                               row.getObject("updated_at", OffsetDateTime.class),
                               row.getObject("due_at", OffsetDateTime.class), row.getBoolean("overdue"),
                               row.getInt("letters"));
    }
}
