package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * The benchmark's ways of doing the order work are what they claim to be, on real PostgreSQL: one local transaction,
 * and a two-phase commit that prepares in all three databases before it commits, and rolls back all three when one
 * cannot prepare.
 */
class OrderWorkTest {

    static EmbeddedPostgres postgres;
    @TempDir
    static Path recoveryLog;
    static XaOrders xa;
    static OneDatabaseOrders oneDatabase;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().setServerConfig("max_prepared_transactions", "10").start();
        try (Connection admin = postgres.getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement()) {
            for (String database : List.of("orders", "inventory", "payments", "shop")) {
                statement.execute("create database " + database);
            }
        }
        xa = new XaOrders(xaSource("orders"), xaSource("inventory"), xaSource("payments"), recoveryLog);
        xa.createSchema();
        try (Connection inventory = db("inventory").getConnection();
             Connection payments = db("payments").getConnection()) {
            OrderWork.addProduct(inventory, "beans", 10);
            OrderWork.addAccount(payments, "ann", 10_000);
            OrderWork.addAccount(payments, "poison", 10_000);
            try (Statement statement = payments.createStatement()) {
                // Fails when the payments database prepares, after the other two have: a deferred check runs at commit.
                statement.execute("""
                        create function refuse_poison() returns trigger language plpgsql as $$
                        begin
                          raise exception 'payments refuses to prepare';
                        end $$""");
                statement.execute("""
                        create constraint trigger refuse_poison after insert on bench_payment
                          deferrable initially deferred for each row
                          when (new.account_id = 'poison') execute function refuse_poison()""");
            }
        }
        oneDatabase = new OneDatabaseOrders(db("shop"));
        oneDatabase.createSchema();
        try (Connection shop = db("shop").getConnection()) {
            OrderWork.addProduct(shop, "beans", 10);
            OrderWork.addAccount(shop, "ann", 1_000);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    static DataSource db(String name) {
        return postgres.getDatabase("postgres", name);
    }

    static PGXADataSource xaSource(String database) {
        PGXADataSource source = new PGXADataSource();
        source.setServerNames(new String[] {"localhost"});
        source.setPortNumbers(new int[] {postgres.getPort()});
        source.setDatabaseName(database);
        source.setUser("postgres");
        return source;
    }

    // ---- two-phase commit ----

    @Test
    void twoPhaseCommitPreparesInAllThreeDatabasesAndLogsItsDecisionBeforeCommitting() throws Exception {
        List<Map<String, Long>> preparedAtCommit = new ArrayList<>();
        List<Long> logRecordsAtCommit = new ArrayList<>();
        AtomicBoolean onePhase = new AtomicBoolean();
        try (XaOrders.Session session = xa.session(orders -> new CommitHook(orders, (xid, onePhaseCommit) -> {
            onePhase.set(onePhaseCommit);
            preparedAtCommit.add(preparedTransactions());
            logRecordsAtCommit.add(filesUnder(recoveryLog));
        }))) {
            assertThat(session.place(new Order("xa-1", "ann", List.of(new Order.Line("beans", 2, 1_000)))))
                    .isEqualTo("CONFIRMED");
        }
        assertThat(onePhase).as("two phases, not the one-phase shortcut").isFalse();
        assertThat(preparedAtCommit).singleElement().as("prepared, not yet committed, in each database")
                                    .isEqualTo(Map.of("inventory", 1L, "orders", 1L, "payments", 1L));
        assertThat(logRecordsAtCommit).singleElement().as("the coordinator's log holds its decision")
                                      .satisfies(records -> assertThat(records).isPositive());
        assertThat(preparedTransactions()).as("nothing left in doubt")
                                          .isEqualTo(Map.of("inventory", 0L, "orders", 0L, "payments", 0L));
        assertThat(query("orders", "select status from bench_order where order_id = 'xa-1'")).isEqualTo("CONFIRMED");
        assertThat(query("inventory", "select available || '/' || committed from bench_stock"))
                .isEqualTo("8/2");
        assertThat(query("payments", "select balance from bench_account where account_id = 'ann'")).isEqualTo("8000");
    }

    @Test
    void aDatabaseThatCannotPrepareRollsBackTheTwoThatDid() throws Exception {
        String stockBefore = query("inventory", "select available || '/' || committed from bench_stock");
        try (XaOrders.Session session = xa.session()) {
            assertThatThrownBy(() -> session.place(
                    new Order("xa-poison", "poison", List.of(new Order.Line("beans", 1, 100)))))
                    .isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("Not committed: a database failed while preparing");
        }
        assertThat(query("orders", "select count(*) from bench_order where order_id = 'xa-poison'")).isEqualTo("0");
        assertThat(query("inventory", "select available || '/' || committed from bench_stock")).isEqualTo(stockBefore);
        assertThat(query("payments", "select balance from bench_account where account_id = 'poison'"))
                .isEqualTo("10000");
        assertThat(preparedTransactions()).isEqualTo(Map.of("inventory", 0L, "orders", 0L, "payments", 0L));
    }

    @Test
    void aRefusedOrderIsRecordedRejectedWithNothingMovedInAnyDatabase() throws Exception {
        try (XaOrders.Session session = xa.session()) {
            assertThat(session.place(new Order("xa-big", "ann", List.of(new Order.Line("beans", 50, 1)))))
                    .isEqualTo("REJECTED");
        }
        assertThat(query("orders", "select reason from bench_order where order_id = 'xa-big'"))
                .isEqualTo("out of stock: beans");
        assertThat(query("payments", "select count(*) from bench_payment where order_id = 'xa-big'")).isEqualTo("0");
    }

    // ---- one database ----

    @Test
    void oneDatabaseConfirmsInOneTransactionAndRejectsWithNothingMoved() throws Exception {
        assertThat(oneDatabase.place(new Order("one-1", "ann", List.of(new Order.Line("beans", 3, 100),
                                                                        new Order.Line("beans", 1, 100)))))
                .isEqualTo("CONFIRMED");
        assertThat(oneDatabase.place(new Order("one-2", "ann", List.of(new Order.Line("beans", 1, 5_000)))))
                .isEqualTo("REJECTED");
        assertThat(query("shop", "select available || '/' || reserved || '/' || committed from bench_stock"))
                .as("the second order's reservation was rolled back with its declined charge").isEqualTo("6/0/4");
        assertThat(query("shop", "select balance from bench_account")).isEqualTo("600");
        assertThat(query("shop",
                         "select string_agg(order_id || ' ' || status, ', ' order by order_id) from bench_order"))
                .isEqualTo("one-1 CONFIRMED, one-2 REJECTED");
    }

    // ---- helpers ----

    static Map<String, Long> preparedTransactions() throws SQLException {
        Map<String, Long> prepared = new TreeMap<>();
        for (String database : List.of("orders", "inventory", "payments")) {
            prepared.put(database, Long.parseLong(query("postgres",
                    "select count(*) from pg_prepared_xacts where database = '" + database + "'")));
        }
        return prepared;
    }

    static String query(String database, String sql) throws SQLException {
        try (Connection connection = db(database).getConnection(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    static long filesUnder(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).count();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
