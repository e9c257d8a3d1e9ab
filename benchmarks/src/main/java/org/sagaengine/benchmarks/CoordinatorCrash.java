package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;


import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import org.postgresql.xa.PGXADataSource;

/**
 * What two-phase commit does when its coordinator dies between prepare and commit. A coordinator process runs one
 * order across the three databases and is killed the moment it starts to commit: every database has prepared, the
 * coordinator's log has its decision, nobody has committed. The transaction is then in doubt: each database holds its
 * locks, and an order for the same product waits for them. A new coordinator process on the same log runs recovery
 * and commits all three.
 */
final class CoordinatorCrash {

    /** What was seen, in the order it happened. */
    record Result(long preparedAfterCrash, int logRecords, boolean blocked, String blockedBy, long inDoubtMillis,
                  long recoveryMillis, long preparedAfterRecovery, String orderAfterRecovery, int stockCommitted,
                  long charged) {
    }

    static final String PRODUCT = "kettle";
    static final String ACCOUNT = "ann";

    private CoordinatorCrash() {
    }

    static Result run(Path directory, Consumer<String> progress) throws Exception {
        try (Database orders = Database.start(directory, "orders", XaApproach.PREPARED_TRANSACTIONS);
             Database inventory = Database.start(directory, "inventory", XaApproach.PREPARED_TRANSACTIONS);
             Database payments = Database.start(directory, "payments", XaApproach.PREPARED_TRANSACTIONS)) {
            try (Connection o = orders.connect(); Connection i = inventory.connect(); Connection p = payments.connect()) {
                OrderWork.createOrders(o);
                OrderWork.createInventory(i);
                OrderWork.createPayments(p);
                OrderWork.addProduct(i, PRODUCT, 10);
                OrderWork.addAccount(p, ACCOUNT, 10_000);
            }
            Path log = directory.resolve("coordinator-log");
            List<String> databases = new ArrayList<>();
            for (Database database : List.of(orders, inventory, payments)) {
                PGXADataSource source = database.xaDataSource();
                databases.add(source.getPortNumbers()[0] + ":" + source.getDatabaseName() + ":" + source.getPassword());
            }
            progress.accept("Coordinator crash: a coordinator process commits one order and is killed as it commits");
            int exit = coordinator(directory, "crash", log, databases);
            long crashedAt = System.nanoTime();
            long prepared = orders.preparedTransactions() + inventory.preparedTransactions()
                    + payments.preparedTransactions();
            int records;
            try (Stream<Path> files = Files.walk(log)) {
                records = (int) files.filter(Files::isRegularFile).count();
            }
            progress.accept("Coordinator crash: coordinator exited with " + exit + "; " + prepared
                                    + " transactions prepared in doubt; " + records + " record(s) in its log");
            String blockedBy = null;
            try (Connection i = inventory.connect(); Statement sql = i.createStatement()) {
                sql.execute("set lock_timeout = '2s'");
                sql.executeUpdate("update bench_stock set available = available where product_id = '" + PRODUCT + "'");
            } catch (SQLException waited) {
                blockedBy = waited.getMessage();
            }
            progress.accept("Coordinator crash: another order for the same product " + (blockedBy == null
                    ? "went through" : "waited 2 s and gave up: " + blockedBy));
            long recoveryStarted = System.nanoTime();
            coordinator(directory, "recover", log, databases);
            long recovered = System.nanoTime();
            long preparedAfter = orders.preparedTransactions() + inventory.preparedTransactions()
                    + payments.preparedTransactions();
            String status = single(orders, "select status from bench_order");
            int committed = Integer.parseInt(single(inventory, "select committed from bench_stock where product_id = '"
                    + PRODUCT + "'"));
            long charged = Long.parseLong(single(payments, "select coalesce(sum(amount), 0) from bench_payment"));
            progress.accept("Coordinator crash: a new coordinator recovered in "
                                    + TimeUnit.NANOSECONDS.toMillis(recovered - recoveryStarted) + " ms; "
                                    + preparedAfter + " left prepared; the order is " + status);
            return new Result(prepared, records, blockedBy != null, blockedBy,
                              TimeUnit.NANOSECONDS.toMillis(recovered - crashedAt),
                              TimeUnit.NANOSECONDS.toMillis(recovered - recoveryStarted), preparedAfter, status,
                              committed, charged);
        }
    }

    private static String single(Database database, String query) throws SQLException {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery(query)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /** Runs a coordinator in a process of its own, and waits for it to end; returns its exit code. */
    private static int coordinator(Path directory, String mode, Path log, List<String> databases)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CoordinatorCrash.class.getName(), mode, log.toString()));
        command.addAll(databases);
        Path output = directory.resolve("logs").resolve("coordinator-" + mode + ".log");
        Files.createDirectories(output.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                                                     .redirectOutput(output.toFile()).start();
        if (!process.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The coordinator did not end within 2 minutes; see " + output);
        }
        if (mode.equals("recover") && process.exitValue() != 0) {
            throw new IllegalStateException("Recovery failed; see " + output);
        }
        return process.exitValue();
    }

    /** The coordinator process: {@code crash} places one order and dies as it commits; {@code recover} recovers. */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path log = Path.of(args[1]);
        List<PGXADataSource> sources = new ArrayList<>();
        for (int d = 2; d < 5; d++) {
            String[] parts = args[d].split(":", 3);
            PGXADataSource source = new PGXADataSource();
            source.setServerNames(new String[] {"127.0.0.1"});
            source.setPortNumbers(new int[] {Integer.parseInt(parts[0])});
            source.setDatabaseName(parts[1]);
            source.setUser("postgres");
            source.setPassword(parts[2]);
            sources.add(source);
        }
        XaOrders xa = new XaOrders(sources.get(0), sources.get(1), sources.get(2), log);
        if (mode.equals("crash")) {
            // Killed the moment the coordinator tells the first database to commit: all three have prepared.
            try (XaOrders.Session session = xa.session(orders -> new CommitHook(orders, (xid, onePhase) -> {
                System.out.println("Killed as it commits " + xid);
                System.out.flush();
                Runtime.getRuntime().halt(137);
            }))) {
                session.place(new Order("crash-1", ACCOUNT, List.of(new Order.Line(PRODUCT, 1, 100))));
            }
            System.out.println("The order committed: the coordinator was not killed");
            System.exit(2);
        }
        RecoveryManager recovery = xa.startRecovery(false, 1);
        // Two passes: the first finds the prepared transactions, the second finishes those its log decided.
        recovery.scan();
        recovery.scan();
        recovery.terminate();
        System.exit(0);
    }
}
