package org.sagaengine.payment.query;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class AccountQueries {

    /** Amounts are in minor units of the account's currency. */
    public record AccountView(String accountId, String owner, String currency, long balance, long depositedTotal,
                              long chargedTotal, long refundedTotal, boolean closed, OffsetDateTime updatedAt) {
    }

    public record PaymentView(String accountId, String orderId, long amount, String state, String reason,
                              OffsetDateTime updatedAt) {
    }

    /** What a return of an order was paid back ({@code REFUNDED}), or asked for and refused ({@code REFUSED}). */
    public record ReturnRefundView(String accountId, String returnId, String orderId, long amount, String state,
                                   String reason, OffsetDateTime updatedAt) {
    }

    private static final String ACCOUNT_COLUMNS = """
            select account_id, owner, currency, balance, deposited_total, charged_total, refunded_total, closed,
                   updated_at
              from account
            """;

    private final JdbcClient jdbc;

    AccountQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<AccountView> account(String accountId) {
        return jdbc.sql(ACCOUNT_COLUMNS + " where account_id = ?").param(accountId)
                   .query(AccountView.class).optional();
    }

    public List<AccountView> accounts(int limit, int offset) {
        return jdbc.sql(ACCOUNT_COLUMNS + " order by account_id limit ? offset ?").params(limit, offset)
                   .query(AccountView.class).list();
    }

    public List<PaymentView> paymentsOfOrder(String orderId) {
        return jdbc.sql("""
                        select account_id, order_id, amount, state, reason, updated_at
                          from payment where order_id = ? order by account_id
                        """)
                   .param(orderId).query(PaymentView.class).list();
    }

    public List<ReturnRefundView> returnRefundsOfOrder(String orderId) {
        return jdbc.sql("""
                        select account_id, return_id, order_id, amount, state, reason, updated_at
                          from return_refund where order_id = ? order by return_id
                        """)
                   .param(orderId).query(ReturnRefundView.class).list();
    }
}
