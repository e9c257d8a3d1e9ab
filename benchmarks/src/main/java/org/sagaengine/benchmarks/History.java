package org.sagaengine.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.sagaengine.launcher.EmbeddedSystem;

/**
 * A long history in every store, loaded in bulk instead of placed through the API: the orders the run has placed so
 * far, with their events, sagas, timelines, audit entries, stock holds, payments, products and accounts, copied under
 * new ids until the stores hold {@code target} completed order sagas. The copies are real rows of the real schema,
 * only renamed, so every table and index grows as it would have.
 * <p>
 * The services are stopped while it loads. Their processors are then moved past the copied events, which are history
 * they have already handled: a processor that read them again would be measuring a replay.
 */
final class History {

    private static final String GAP_AWARE = "org.axonframework.eventhandling.GapAwareTrackingToken";

    private History() {
    }

    /** Copies what the stores hold until they hold at least {@code target} order sagas; returns how many they hold. */
    static long load(EmbeddedSystem system, long target, Consumer<String> progress) throws Exception {
        long orders;
        try (Connection db = system.connect("orders")) {
            orders = single(db, "select count(*) from saga_step where saga_type = 'order'");
        }
        long copies = Math.max(0, (target - orders + orders - 1) / Math.max(1, orders));
        if (copies == 0) {
            return orders;
        }
        for (String service : List.of(EmbeddedSystem.ORDER_SAGA, EmbeddedSystem.INVENTORY, EmbeddedSystem.PAYMENT)) {
            system.kill(service);
        }
        progress.accept("history: %d orders so far, copying everything %d times".formatted(orders, copies));
        long events = maxOf(system, "events", "select coalesce(max(globalindex), 0) from domainevententry");
        copy(system, "events", progress, """
                insert into domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier, metadata,
                                              payload, payloadrevision, payloadtype, timestamp)
                select 'h' || g || '-' || e.aggregateidentifier, e.sequencenumber, e.type, gen_random_uuid()::text,
                       e.metadata, e.payload, e.payloadrevision, e.payloadtype, e.timestamp
                  from domainevententry e, generate_series(1, %d) g
                 where e.globalindex <= %d
                 order by g, e.globalindex
                """.formatted(copies, events));
        copy(system, "orders", progress,
             renamed(copies, "customer_order", "order_id"),
             renamed(copies, "saga_step", "saga_key"),
             renamed(copies, "saga_timeline", "saga_key"),
             renamed(copies, "audit_entry", "event_id", "order_id", "aggregate_id"));
        copy(system, "inventory", progress,
             renamed(copies, "product_stock", "product_id"),
             renamed(copies, "stock_hold", "product_id", "order_id"));
        copy(system, "payments", progress,
             renamed(copies, "account", "account_id"),
             renamed(copies, "payment", "account_id", "order_id"));
        long head = maxOf(system, "events", "select max(globalindex) from domainevententry");
        for (String database : List.of("orders", "inventory", "payments")) {
            try (Connection db = system.connect(database); Statement sql = db.createStatement()) {
                long other = single(db, "select count(*) from tokenentry where token is not null and tokentype <> '"
                        + GAP_AWARE + "'");
                if (other > 0) {
                    throw new IllegalStateException(database + " has processors at a position other than a plain "
                                                            + "one (a replay?): they would read the copies");
                }
                // Released too: the stopped services' claims would otherwise hold the segments until they time out.
                sql.executeUpdate("update tokenentry set token = convert_to('{\"index\":" + head
                                          + ",\"gaps\":[]}', 'UTF8'), owner = null where tokentype = '"
                                          + GAP_AWARE + "'");
            }
        }
        for (String database : List.of("events", "orders", "inventory", "payments")) {
            try (Connection db = system.connect(database); Statement sql = db.createStatement()) {
                sql.execute("vacuum analyze");
            }
        }
        for (String service : List.of(EmbeddedSystem.INVENTORY, EmbeddedSystem.PAYMENT, EmbeddedSystem.ORDER_SAGA)) {
            system.restart(service);
        }
        system.awaitHealthy(List.of(EmbeddedSystem.ORDER_SAGA, EmbeddedSystem.INVENTORY, EmbeddedSystem.PAYMENT));
        try (Connection db = system.connect("orders")) {
            return single(db, "select count(*) from saga_step where saga_type = 'order'");
        }
    }

    /** Copies every row of a table {@code copies} times, each of {@code ids} with the prefix {@code h<copy>-}. */
    private record Renamed(long copies, String table, List<String> ids) {

        /**
         * The statement, with the table's columns listed: faster than a generic row copy by several times. A column
         * filled by a sequence is left to it.
         */
        String sql(Connection db) throws SQLException {
            List<String> columns = new ArrayList<>();
            try (PreparedStatement query = db.prepareStatement("""
                    select column_name from information_schema.columns
                     where table_schema = current_schema() and table_name = ?
                       and coalesce(column_default, '') not like 'nextval(%'
                     order by ordinal_position
                    """)) {
                query.setString(1, table);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        columns.add(rows.getString(1));
                    }
                }
            }
            List<String> values = columns.stream()
                                         .map(column -> ids.contains(column) ? "'h' || g || '-' || r." + column
                                                                             : "r." + column)
                                         .toList();
            return "insert into " + table + " (" + String.join(", ", columns) + ") select " + String.join(", ", values)
                    + " from " + table + " r, generate_series(1, " + copies + ") g";
        }
    }

    private static Renamed renamed(long copies, String table, String... ids) {
        return new Renamed(copies, table, List.of(ids));
    }

    /** Runs each statement, a text or a {@link Renamed}, and says how long it took. */
    private static void copy(EmbeddedSystem system, String database, Consumer<String> progress,
                             Object... statements) throws SQLException {
        try (Connection db = system.connect(database); Statement sql = db.createStatement()) {
            for (Object statement : statements) {
                long started = System.nanoTime();
                int rows = sql.executeUpdate(statement instanceof Renamed renamed ? renamed.sql(db)
                                                                                  : (String) statement);
                progress.accept("history: %s, %,d rows in %d s".formatted(
                        database, rows, (System.nanoTime() - started) / 1_000_000_000L));
            }
        }
    }

    private static long maxOf(EmbeddedSystem system, String database, String query) throws SQLException {
        try (Connection db = system.connect(database)) {
            return single(db, query);
        }
    }

    private static long single(Connection db, String query) throws SQLException {
        try (Statement sql = db.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
