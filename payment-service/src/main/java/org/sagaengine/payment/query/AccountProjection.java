package org.sagaengine.payment.query;

import java.time.Instant;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.payment.api.AccountOpened;
import org.sagaengine.payment.api.MoneyDeposited;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Keeps {@code account} and {@code payment} in step with the account events, in the processor's transaction. */
@Component
@ProcessingGroup("account-projection")
class AccountProjection {

    private final JdbcClient jdbc;

    AccountProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(AccountOpened event, @Timestamp Instant at) {
        jdbc.sql("""
                 insert into account (account_id, owner, currency, balance, deposited_total, charged_total,
                                      refunded_total, updated_at)
                 values (?, ?, ?, 0, 0, 0, 0, ?)
                 """)
            .params(event.accountId(), event.owner(), event.currency(), ts(at))
            .update();
    }

    @EventHandler
    void on(MoneyDeposited event, @Timestamp Instant at) {
        jdbc.sql("""
                 update account set balance = balance + ?, deposited_total = deposited_total + ?, updated_at = ?
                  where account_id = ?
                 """)
            .params(event.amount(), event.amount(), ts(at), event.accountId())
            .update();
    }

    @EventHandler
    void on(PaymentCharged event, @Timestamp Instant at) {
        jdbc.sql("""
                 update account set balance = balance - ?, charged_total = charged_total + ?, updated_at = ?
                  where account_id = ?
                 """)
            .params(event.amount(), event.amount(), ts(at), event.accountId())
            .update();
        payment(event.accountId(), event.orderId(), event.amount(), "CHARGED", null, at);
    }

    @EventHandler
    void on(PaymentDeclined event, @Timestamp Instant at) {
        payment(event.accountId(), event.orderId(), event.amount(), "DECLINED", event.reason(), at);
    }

    @EventHandler
    void on(PaymentRefunded event, @Timestamp Instant at) {
        jdbc.sql("""
                 update account set balance = balance + ?, refunded_total = refunded_total + ?, updated_at = ?
                  where account_id = ?
                 """)
            .params(event.amount(), event.amount(), ts(at), event.accountId())
            .update();
        payment(event.accountId(), event.orderId(), event.amount(), "REFUNDED", null, at);
    }

    private void payment(String accountId, String orderId, long amount, String state, String reason, Instant at) {
        jdbc.sql("""
                 insert into payment (account_id, order_id, amount, state, reason, updated_at)
                 values (?, ?, ?, ?, ?, ?)
                 on conflict (account_id, order_id)
                 do update set amount = excluded.amount, state = excluded.state, reason = excluded.reason,
                               updated_at = excluded.updated_at
                 """)
            .params(accountId, orderId, amount, state, reason, ts(at))
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
