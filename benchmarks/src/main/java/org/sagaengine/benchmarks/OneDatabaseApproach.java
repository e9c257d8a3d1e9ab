package org.sagaengine.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@link OneDatabaseOrders} on one server, worked by a pool of connections. */
final class OneDatabaseApproach implements Approach {

    private final Database database;
    private final Workers<Connection> workers;

    OneDatabaseApproach(Path directory, int connections) throws Exception {
        this(directory, connections, Map.of());
    }

    /** @param settings PostgreSQL settings over the durable defaults */
    OneDatabaseApproach(Path directory, int connections, Map<String, String> settings) throws Exception {
        this.database = Database.start(directory, "shop", settings);
        try (Connection connection = database.connect()) {
            OrderWork.createOrders(connection);
            OrderWork.createInventory(connection);
            OrderWork.createPayments(connection);
        }
        this.workers = new Workers<>("one-database", connections, database::connect, OneDatabaseOrders::place);
    }

    @Override
    public String name() {
        return "one database";
    }

    @Override
    public void seed(Mix mix, String run) throws Exception {
        try (Connection connection = database.connect()) {
            OrderWork.addProducts(connection, mix.productIds(run), Mix.STOCK);
            OrderWork.addAccounts(connection, mix.accountIds(run), Mix.BALANCE);
        }
    }

    @Override
    public CompletableFuture<String> place(Order order) {
        return workers.submit(order);
    }

    @Override
    public String paymentsSide() {
        return "nothing separate: the one database stops, with orders, stock and accounts in it";
    }

    @Override
    public void stopPayments() throws Exception {
        database.stop();
    }

    @Override
    public void startPayments() throws Exception {
        database.start();
    }

    @Override
    public long inDoubt() {
        return 0;
    }

    @Override
    public String inDoubtMeaning() {
        return "none: a local transaction commits or rolls back whole";
    }

    @Override
    public void close() throws Exception {
        workers.close();
        database.close();
    }
}
