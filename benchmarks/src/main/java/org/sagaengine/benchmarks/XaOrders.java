package org.sagaengine.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.RecoveryEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.common.recoveryPropertyManager;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.common.jtaPropertyManager;
import com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;

/**
 * The order work as one distributed transaction over three databases (orders, inventory, payments), coordinated by
 * Narayana's JTA transaction manager with two-phase commit: each database prepares (PostgreSQL's
 * {@code PREPARE TRANSACTION}), the coordinator writes its decision to its recovery log, then each commits. A database
 * that cannot prepare rolls back all three.
 */
public final class XaOrders {

    private final XADataSource orders;
    private final XADataSource inventory;
    private final XADataSource payments;
    private final TransactionManager transactions;

    /** The coordinator's node name: it recovers the transactions whose ids carry it. */
    static final String NODE = "benchmark-coordinator";

    /**
     * @param recoveryLog where the coordinator keeps its log of decided transactions; the first coordinator of a JVM
     *                    sets it for the JVM
     */
    public XaOrders(XADataSource orders, XADataSource inventory, XADataSource payments, Path recoveryLog) {
        this.orders = orders;
        this.inventory = inventory;
        this.payments = payments;
        useRecoveryLog(recoveryLog);
        this.transactions = com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    private static void useRecoveryLog(Path directory) {
        String dir = directory.toAbsolutePath().toString();
        try {
            arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier(NODE);
        } catch (CoreEnvironmentBeanException tooLong) {
            throw new IllegalStateException(tooLong);
        }
        arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(dir);
    }

    /**
     * Runs Narayana's recovery manager in this JVM over the three databases: it finds the transactions a database
     * holds prepared, and finishes each as the coordinator's log decided (commit), or rolls it back when the log has
     * no record of it. Periodic: every {@code periodSeconds}, as a coordinator runs it; or direct, one
     * {@link RecoveryManager#scan()} at a time, as after a restart.
     */
    public RecoveryManager startRecovery(boolean periodic, int periodSeconds) {
        RecoveryEnvironmentBean recovery = recoveryPropertyManager.getRecoveryEnvironmentBean();
        recovery.setRecoveryModuleClassNames(List.of(
                "com.arjuna.ats.internal.arjuna.recovery.AtomicActionRecoveryModule",
                XARecoveryModule.class.getName()));
        recovery.setExpiryScannerClassNames(List.of());
        recovery.setRecoveryListener(false);
        recovery.setPeriodicRecoveryPeriod(periodSeconds);
        recovery.setRecoveryBackoffPeriod(1);
        jtaPropertyManager.getJTAEnvironmentBean().setXaRecoveryNodes(List.of(NODE));
        jtaPropertyManager.getJTAEnvironmentBean().setXaResourceOrphanFilterClassNames(List.of(
                "com.arjuna.ats.internal.jta.recovery.arjunacore.JTATransactionLogXAResourceOrphanFilter",
                "com.arjuna.ats.internal.jta.recovery.arjunacore.JTANodeNameXAResourceOrphanFilter"));
        RecoveryManager manager = RecoveryManager.manager(
                periodic ? RecoveryManager.INDIRECT_MANAGEMENT : RecoveryManager.DIRECT_MANAGEMENT);
        XARecoveryModule.getRegisteredXARecoveryModule().addXAResourceRecoveryHelper(new DatabasesToRecover());
        if (periodic) {
            manager.startRecoveryManagerThread();
        }
        return manager;
    }

    /** Hands the recovery manager a resource of each database that is up, on fresh connections each scan. */
    private final class DatabasesToRecover implements XAResourceRecoveryHelper {

        private final List<XAConnection> open = new ArrayList<>();

        @Override
        public boolean initialise(String properties) {
            return true;
        }

        @Override
        public synchronized XAResource[] getXAResources() {
            open.forEach(connection -> {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // Closed with its server.
                }
            });
            open.clear();
            List<XAResource> resources = new ArrayList<>();
            for (XADataSource database : List.of(orders, inventory, payments)) {
                try {
                    XAConnection connection = database.getXAConnection();
                    open.add(connection);
                    resources.add(connection.getXAResource());
                } catch (SQLException down) {
                    // Its transactions wait for the next scan.
                }
            }
            return resources.toArray(XAResource[]::new);
        }
    }

    public void createSchema() throws SQLException {
        try (Session session = session()) {
            try (Connection connection = session.orders.getConnection()) {
                OrderWork.createOrders(connection);
            }
            try (Connection connection = session.inventory.getConnection()) {
                OrderWork.createInventory(connection);
            }
            try (Connection connection = session.payments.getConnection()) {
                OrderWork.createPayments(connection);
            }
        }
    }

    /** Three database connections a worker keeps and uses for one distributed transaction after another. */
    public Session session() throws SQLException {
        return new Session(orders.getXAConnection(), inventory.getXAConnection(), payments.getXAConnection());
    }

    public Session session(UnaryOperator<XAResource> wrapOrders) throws SQLException {
        Session session = session();
        session.wrapOrders = wrapOrders;
        return session;
    }

    public final class Session implements AutoCloseable {

        private final XAConnection orders;
        private final XAConnection inventory;
        private final XAConnection payments;
        private UnaryOperator<XAResource> wrapOrders = UnaryOperator.identity();

        private Session(XAConnection orders, XAConnection inventory, XAConnection payments) {
            this.orders = orders;
            this.inventory = inventory;
            this.payments = payments;
        }

        /** Places the order in one distributed transaction: {@code CONFIRMED}, or {@code REJECTED}, nothing moved. */
        public String place(Order order) throws Exception {
            transactions.begin();
            try {
                var transaction = transactions.getTransaction();
                transaction.enlistResource(wrapOrders.apply(orders.getXAResource()));
                transaction.enlistResource(inventory.getXAResource());
                transaction.enlistResource(payments.getXAResource());
                try (Connection o = orders.getConnection(); Connection i = inventory.getConnection();
                     Connection p = payments.getConnection()) {
                    OrderWork.place(o, i, p, order);
                }
            } catch (OrderWork.Refused refused) {
                transactions.rollback();
                recordRejection(order, refused.getMessage());
                return "REJECTED";
            } catch (Exception | Error failure) {
                if (transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    transactions.rollback();
                }
                throw failure;
            }
            try {
                transactions.commit();
            } catch (RollbackException | HeuristicMixedException | HeuristicRollbackException notCommitted) {
                // PostgreSQL's driver reports a failed PREPARE TRANSACTION as a resource failure, not a rollback, so
                // the coordinator cannot tell that branch's outcome and says "heuristic mixed"; it rolls back the
                // branches that did prepare all the same.
                throw new SQLException("Not committed: a database failed while preparing ("
                                               + notCommitted.getClass().getSimpleName() + ")", notCommitted);
            }
            return "CONFIRMED";
        }

        private void recordRejection(Order order, String reason) throws SQLException {
            try (Connection connection = orders.getConnection()) {
                connection.setAutoCommit(true);
                OrderWork.record(connection, order, "REJECTED", reason);
            }
        }

        @Override
        public void close() throws SQLException {
            orders.close();
            inventory.close();
            payments.close();
        }
    }
}
