package org.sagaengine.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sagaengine.launcher.EmbeddedSystem;

/**
 * How many SQL statements and transactions the services run against each of their databases while the benchmark
 * measures: PostgreSQL's own counts ({@code pg_stat_statements}, {@code pg_stat_database}) before and after, over the
 * orders completed. Unlike CPU time, which swings by a fifth between two runs of the same code, these counts come out
 * nearly the same each time, so a change that saves work shows as fewer statements even where the CPU cannot tell.
 * <p>
 * Statements need the server started with {@code shared_preload_libraries=pg_stat_statements} ({@link #SETTINGS});
 * without it only transactions are counted. What the system does while idle (polls, claims, samples) is in the counts,
 * as it is in the CPU per order.
 */
final class SqlCensus {

    /** The server settings statements are counted with. */
    static final Map<String, String> SETTINGS = Map.of("shared_preload_libraries", "pg_stat_statements",
                                                       "pg_stat_statements.track", "all");
    /**
     * How long PostgreSQL may hold a backend's transaction counts before it publishes them: a backend that went idle
     * publishes what it has at most 10 s later. Waiting this long before each reading makes the counts complete.
     */
    static final Duration PUBLISHED_WITHIN = Duration.ofSeconds(11);
    private static final List<String> DATABASES = List.of("events", "orders", "inventory", "payments");

    /** How many statements the report lists one by one. */
    private static final int HEAVIEST = 20;
    /** How much of a statement's text the report keeps: enough to tell which it is. */
    private static final int TEXT = 160;

    /**
     * Per database, per order completed, and the statements run most often ({@code heaviest}, most calls first;
     * empty where statements are not counted, and absent from runs recorded before it was counted).
     */
    record PerOrder(Map<String, Double> statements, Map<String, Double> transactions, List<Counted> heaviest) {
    }

    /** One statement as {@code pg_stat_statements} normalises it: its database, calls per order, and its text. */
    record Counted(String database, double calls, String statement) {
    }

    private final EmbeddedSystem system;
    private final boolean statements;
    private final Map<String, Long> transactionsBefore;

    private SqlCensus(EmbeddedSystem system, boolean statements, Map<String, Long> transactionsBefore) {
        this.system = system;
        this.statements = statements;
        this.transactionsBefore = transactionsBefore;
    }

    /** Starts counting now: clears the statement counts and notes the transactions so far. */
    static SqlCensus start(EmbeddedSystem system) throws SQLException, InterruptedException {
        Thread.sleep(PUBLISHED_WITHIN.toMillis());
        boolean statements;
        try (Connection db = system.connectAsSuperuser("postgres"); Statement sql = db.createStatement()) {
            try {
                sql.execute("create extension if not exists pg_stat_statements");
                sql.execute("select pg_stat_statements_reset()");
                statements = true;
            } catch (SQLException notLoaded) {
                statements = false;
            }
            return new SqlCensus(system, statements, transactions(sql));
        }
    }

    /** What was counted since {@link #start}, per order of {@code orders}. */
    PerOrder perOrder(long orders) throws SQLException, InterruptedException {
        Thread.sleep(PUBLISHED_WITHIN.toMillis());
        double per = Math.max(1, orders);
        Map<String, Double> statementsPerOrder = new LinkedHashMap<>();
        Map<String, Double> transactionsPerOrder = new LinkedHashMap<>();
        List<Counted> heaviest = new ArrayList<>();
        try (Connection db = system.connectAsSuperuser("postgres"); Statement sql = db.createStatement()) {
            transactions(sql).forEach((database, count) -> transactionsPerOrder.put(
                    database, (count - transactionsBefore.getOrDefault(database, 0L)) / per));
            if (statements) {
                // The services' own statements only: not this census's, which runs as the superuser.
                try (ResultSet rows = sql.executeQuery("""
                        select d.datname, sum(s.calls) from pg_stat_statements s
                        join pg_database d on d.oid = s.dbid join pg_roles r on r.oid = s.userid
                        where r.rolname <> current_user group by d.datname""")) {
                    Map<String, Long> counted = new LinkedHashMap<>();
                    while (rows.next()) {
                        counted.put(rows.getString(1), rows.getLong(2));
                    }
                    for (String database : DATABASES) {
                        if (counted.containsKey(database)) {
                            statementsPerOrder.put(database, counted.get(database) / per);
                        }
                    }
                }
                try (ResultSet rows = sql.executeQuery("""
                        select d.datname, s.calls, regexp_replace(s.query, '\\s+', ' ', 'g') from pg_stat_statements s
                        join pg_database d on d.oid = s.dbid join pg_roles r on r.oid = s.userid
                        where r.rolname <> current_user and d.datname = any(array['%s'])
                        order by s.calls desc limit %d""".formatted(String.join("','", DATABASES), HEAVIEST))) {
                    while (rows.next()) {
                        String text = rows.getString(3);
                        heaviest.add(new Counted(rows.getString(1), rows.getLong(2) / per,
                                                 text.length() > TEXT ? text.substring(0, TEXT) + "..." : text));
                    }
                }
            }
        }
        return new PerOrder(statementsPerOrder, transactionsPerOrder, heaviest);
    }

    private static Map<String, Long> transactions(Statement sql) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (ResultSet rows = sql.executeQuery(
                "select datname, xact_commit + xact_rollback from pg_stat_database where datname = any(array['"
                        + String.join("','", DATABASES) + "'])")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        DATABASES.stream().filter(counts::containsKey).forEach(database -> ordered.put(database, counts.get(database)));
        return ordered;
    }
}
