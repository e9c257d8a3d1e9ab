package org.sagaengine.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;

/**
 * The order work in SQL, the same whichever transaction holds it: reserve stock for every line, charge the account,
 * commit the stock, confirm the order. Each part runs on the connection of the database that owns its data; with one
 * database the three connections are one.
 */
public final class OrderWork {

    /** A business refusal: out of stock, or not enough money. The transaction must roll back. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The tables of each part, for a schema that holds one part or all three. */
    public static void createOrders(Connection orders) throws SQLException {
        execute(orders, """
                create table if not exists bench_order (
                    order_id   varchar(64) primary key,
                    account_id varchar(64) not null,
                    amount     bigint      not null,
                    status     varchar(16) not null,
                    reason     varchar(200))""");
    }

    public static void createInventory(Connection inventory) throws SQLException {
        execute(inventory, """
                create table if not exists bench_stock (
                    product_id varchar(64) primary key,
                    available  integer not null check (available >= 0),
                    reserved   integer not null default 0 check (reserved >= 0),
                    committed  integer not null default 0 check (committed >= 0))""");
    }

    public static void createPayments(Connection payments) throws SQLException {
        execute(payments, """
                create table if not exists bench_account (
                    account_id varchar(64) primary key,
                    balance    bigint not null check (balance >= 0))""");
        execute(payments, """
                create table if not exists bench_payment (
                    order_id   varchar(64) primary key,
                    account_id varchar(64) not null,
                    amount     bigint      not null)""");
    }

    public static void addProduct(Connection inventory, String productId, int available) throws SQLException {
        update(inventory, "insert into bench_stock (product_id, available) values (?, ?)", productId, available);
    }

    public static void addAccount(Connection payments, String accountId, long balance) throws SQLException {
        update(payments, "insert into bench_account (account_id, balance) values (?, ?)", accountId, balance);
    }

    /** Many products in one statement. */
    public static void addProducts(Connection inventory, List<String> productIds, int available)
            throws SQLException {
        update(inventory, "insert into bench_stock (product_id, available) select unnest(?::text[]), ?",
               inventory.createArrayOf("text", productIds.toArray()), available);
    }

    /** Many accounts in one statement. */
    public static void addAccounts(Connection payments, List<String> accountIds, long balance)
            throws SQLException {
        update(payments, "insert into bench_account (account_id, balance) select unnest(?::text[]), ?",
               payments.createArrayOf("text", accountIds.toArray()), balance);
    }

    /**
     * Does the whole order work on the given connections, inside whatever transaction they are in. Stock rows are
     * locked in the order of their keys, as any code sharing rows must lock them, so that two orders never wait for
     * each other in a cycle.
     */
    public static void place(Connection orders, Connection inventory, Connection payments, Order order)
            throws SQLException, Refused {
        List<Order.Line> lines = order.lines().stream()
                                                .sorted(Comparator.comparing(Order.Line::productId))
                                                .toList();
        for (Order.Line line : lines) {
            if (update(inventory, """
                    update bench_stock set available = available - ?, reserved = reserved + ?
                     where product_id = ? and available >= ?""",
                       line.quantity(), line.quantity(), line.productId(), line.quantity()) != 1) {
                throw new Refused("out of stock: " + line.productId());
            }
        }
        if (update(payments, "update bench_account set balance = balance - ? where account_id = ? and balance >= ?",
                   order.amount(), order.accountId(), order.amount()) != 1) {
            throw new Refused("payment declined: " + order.accountId());
        }
        update(payments, "insert into bench_payment (order_id, account_id, amount) values (?, ?, ?)",
               order.orderId(), order.accountId(), order.amount());
        for (Order.Line line : lines) {
            update(inventory, """
                    update bench_stock set reserved = reserved - ?, committed = committed + ?
                     where product_id = ?""", line.quantity(), line.quantity(), line.productId());
        }
        record(orders, order, "CONFIRMED", null);
    }

    /** Records an order as rejected, in its own transaction, after the one that tried it rolled back. */
    public static void record(Connection orders, Order order, String status, String reason) throws SQLException {
        update(orders, "insert into bench_order (order_id, account_id, amount, status, reason) values (?, ?, ?, ?, ?)",
               order.orderId(), order.accountId(), order.amount(), status, reason);
    }

    private static int update(Connection connection, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement.executeUpdate();
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private OrderWork() {
    }
}
