package org.sagaengine.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.arjuna.ats.arjuna.recovery.RecoveryManager;

/**
 * {@link XaOrders} over three servers, one per database, worked by a pool of sessions, with the coordinator's
 * recovery manager running every few seconds as it would in production.
 */
final class XaApproach implements Approach {

    static final Map<String, String> PREPARED_TRANSACTIONS = Map.of("max_prepared_transactions", "100");

    private final Database orders;
    private final Database inventory;
    private final Database payments;
    private final XaOrders xa;
    private final Workers<XaOrders.Session> workers;
    private final RecoveryManager recovery;

    XaApproach(Path directory, int sessions) throws Exception {
        this.orders = Database.start(directory, "orders", PREPARED_TRANSACTIONS);
        this.inventory = Database.start(directory, "inventory", PREPARED_TRANSACTIONS);
        this.payments = Database.start(directory, "payments", PREPARED_TRANSACTIONS);
        this.xa = new XaOrders(orders.xaDataSource(), inventory.xaDataSource(), payments.xaDataSource(),
                               directory.resolve("coordinator-log"));
        xa.createSchema();
        this.recovery = xa.startRecovery(true, 5);
        this.workers = new Workers<>("xa", sessions, xa::session, XaOrders.Session::place);
    }

    @Override
    public String name() {
        return "two-phase commit";
    }

    @Override
    public void seed(Mix mix, String run) throws Exception {
        try (Connection connection = inventory.connect()) {
            OrderWork.addProducts(connection, mix.productIds(run), Mix.STOCK);
        }
        try (Connection connection = payments.connect()) {
            OrderWork.addAccounts(connection, mix.accountIds(run), Mix.BALANCE);
        }
    }

    @Override
    public CompletableFuture<String> place(Order order) {
        return workers.submit(order);
    }

    @Override
    public String paymentsSide() {
        return "the payments database's server stops";
    }

    @Override
    public void stopPayments() throws Exception {
        payments.stop();
    }

    @Override
    public void startPayments() throws Exception {
        payments.start();
    }

    @Override
    public long inDoubt() {
        return orders.preparedTransactions() + inventory.preparedTransactions() + payments.preparedTransactions();
    }

    @Override
    public String inDoubtMeaning() {
        return "transactions prepared in a database and not yet committed or rolled back (pg_prepared_xacts), each "
                + "holding its row locks";
    }

    @Override
    public void close() throws Exception {
        workers.close();
        recovery.terminate();
        payments.close();
        inventory.close();
        orders.close();
    }
}
