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

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.sagaengine.engine.SagaTimeouts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The saga view's queries: every saga with its state, step, age and what is overdue, paged and served by indexes on
 * {@code order_saga_step}, and one saga's timeline. A saga is stuck when it still runs or compensates well after its
 * deadline or retry was due, when it has stayed in one step, resending, for longer than
 * {@code sagaengine.saga.stuck-after}, or when one of its events waits as a dead letter. The number of stuck sagas is
 * the gauge {@code sagaengine_sagas_stuck}.
 */
@Repository
public class SagaViewQueries {

    public static final List<String> STATES = List.of("RUNNING", "COMPENSATING", "CONFIRMED", "REJECTED", "STUCK");
    /** How late a deadline may fire before its saga counts as stuck: a poll of the deadline table, and then some. */
    static final Duration GRACE = Duration.ofSeconds(5);

    public record SagaSummary(String orderId, String state, String step, String detail, OffsetDateTime startedAt,
                              OffsetDateTime updatedAt, OffsetDateTime dueAt, boolean overdue, int deadLetters) {
    }

    /** One entry; {@code millisSinceStart} counts from the saga's first entry, the {@code OrderPlaced} it began with. */
    public record TimelineEntry(OffsetDateTime at, String kind, String name, String detail, long millisSinceStart) {
    }

    public record SagaDetail(SagaSummary saga, String status, String reason, long totalAmount, String currency,
                             String accountId, List<TimelineEntry> timeline) {
    }

    private static final String UNFINISHED = "s.state in ('RUNNING', 'COMPENSATING')";
    private static final String DEAD_LETTERED = """
            exists (select 1 from deadletterentry d
                     where d.processinggroup = 'OrderSagaProcessor' and d.sequenceidentifier = s.order_id)""";

    private final JdbcClient jdbc;
    private final String stuck;
    private final String summary;

    SagaViewQueries(JdbcClient jdbc, SagaTimeouts timeouts, MeterRegistry meters) {
        this.jdbc = jdbc;
        String pastDue = "(s.due_at < now() - make_interval(secs => " + GRACE.toSeconds() + ")"
                + " or s.updated_at < now() - make_interval(secs => " + timeouts.stuckAfter().toSeconds() + "))";
        this.stuck = UNFINISHED + " and (" + pastDue + " or " + DEAD_LETTERED + ")";
        this.summary = """
                select s.order_id, s.state, s.step, s.detail, s.started_at, s.updated_at, s.due_at,
                       (%s) as overdue,
                       (select count(*) from deadletterentry d
                         where d.processinggroup = 'OrderSagaProcessor' and d.sequenceidentifier = s.order_id) as letters
                  from order_saga_step s
                """.formatted(UNFINISHED + " and " + pastDue);
        Gauge.builder("sagaengine.sagas.stuck", this, SagaViewQueries::stuckCount)
             .description("sagas past their deadline, resending for longer than stuck-after, or dead-lettered")
             .register(meters);
    }

    public List<SagaSummary> sagas(String state, String orderIdPrefix, int limit, int offset) {
        Query query = listQuery(state, orderIdPrefix, limit, offset);
        return jdbc.sql(query.sql()).params(query.params()).query(this::summary).list();
    }

    record Query(String sql, List<Object> params) {
    }

    /** The saga list's SQL: each filter is served by an index on {@code order_saga_step}, newest first. */
    Query listQuery(String state, String orderIdPrefix, int limit, int offset) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if ("STUCK".equals(state)) {
            conditions.add(stuck);
        } else if (state != null) {
            conditions.add("s.state = ?");
            params.add(state);
        }
        if (orderIdPrefix != null && !orderIdPrefix.isBlank()) {
            conditions.add("s.order_id like ?");
            params.add(orderIdPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        String where = conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
        params.add(limit);
        params.add(offset);
        return new Query(summary + where + " order by s.started_at desc, s.order_id limit ? offset ?", params);
    }

    /** How many sagas are in each state, and how many of the unfinished ones are stuck. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        STATES.forEach(state -> counts.put(state, 0L));
        jdbc.sql("select state, count(*) from order_saga_step group by state")
            .query((row, n) -> counts.put(row.getString(1), row.getLong(2)))
            .list();
        counts.put("STUCK", stuckCount());
        return counts;
    }

    private long stuckCount() {
        return jdbc.sql("select count(*) from order_saga_step s where " + stuck).query(Long.class).single();
    }

    public Optional<SagaDetail> saga(String orderId) {
        return jdbc.sql(summary + " where s.order_id = ?").param(orderId).query(this::summary).optional()
                   .map(saga -> {
                       List<TimelineEntry> timeline = jdbc.sql("""
                               select at, kind, name, detail, min(at) over () as first_at
                                 from saga_timeline where order_id = ? order by id
                               """)
                               .param(orderId)
                               .query((row, n) -> {
                                   OffsetDateTime at = row.getObject("at", OffsetDateTime.class);
                                   OffsetDateTime first = row.getObject("first_at", OffsetDateTime.class);
                                   return new TimelineEntry(at, row.getString("kind"), row.getString("name"),
                                                            row.getString("detail"),
                                                            Duration.between(first, at).toMillis());
                               })
                               .list();
                       return jdbc.sql("""
                                       select status, reason, total_amount, currency, account_id
                                         from customer_order where order_id = ?""")
                                  .param(orderId)
                                  .query((row, n) -> new SagaDetail(saga, row.getString(1), row.getString(2),
                                                                    row.getLong(3), row.getString(4),
                                                                    row.getString(5), timeline))
                                  .optional()
                                  .orElse(new SagaDetail(saga, null, null, 0, null, null, timeline));
                   });
    }

    private SagaSummary summary(ResultSet row, int rowNumber) throws SQLException {
        return new SagaSummary(row.getString("order_id"), row.getString("state"), row.getString("step"),
                               row.getString("detail"), row.getObject("started_at", OffsetDateTime.class),
                               row.getObject("updated_at", OffsetDateTime.class),
                               row.getObject("due_at", OffsetDateTime.class), row.getBoolean("overdue"),
                               row.getInt("letters"));
    }
}
