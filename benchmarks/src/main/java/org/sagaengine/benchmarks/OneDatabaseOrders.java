package org.sagaengine.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** The order work as one local ACID transaction, in one database that holds orders, stock and accounts. */
public final class OneDatabaseOrders {

    private final DataSource database;

    public OneDatabaseOrders(DataSource database) {
        this.database = database;
    }

    public void createSchema() throws SQLException {
        try (Connection connection = database.getConnection()) {
            OrderWork.createOrders(connection);
            OrderWork.createInventory(connection);
            OrderWork.createPayments(connection);
        }
    }

    /** Places the order: {@code CONFIRMED}, or {@code REJECTED} with nothing moved. */
    public String place(Order order) throws SQLException {
        try (Connection connection = database.getConnection()) {
            return place(connection, order);
        }
    }

    /** Places the order on a connection of the one database, which a worker keeps from one order to the next. */
    public static String place(Connection connection, Order order) throws SQLException {
        connection.setAutoCommit(false);
        try {
            OrderWork.place(connection, connection, connection, order);
            connection.commit();
            return "CONFIRMED";
        } catch (OrderWork.Refused refused) {
            connection.rollback();
            OrderWork.record(connection, order, "REJECTED", refused.getMessage());
            connection.commit();
            return "REJECTED";
        } catch (SQLException | RuntimeException failure) {
            connection.rollback();
            throw failure;
        }
    }
}
