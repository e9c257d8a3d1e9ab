package org.sagaengine.payment.query;

import java.time.Instant;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.payment.api.AccountClosed;
import org.sagaengine.payment.api.AccountOpened;
import org.sagaengine.payment.api.MoneyDeposited;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.ReturnRefundRefused;
import org.sagaengine.payment.api.ReturnRefunded;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code account}, {@code payment} and {@code return_refund} in step with the account events, in the processor's transaction. Each
 * event first moves the account's {@code version} forward to the event's sequence number; an event the row has
 * already seen (delivered again after a crash or a token reset) moves no money.
 */
@Component
@ProcessingGroup("account-projection")
class AccountProjection {

    private final JdbcClient jdbc;

    AccountProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(AccountOpened event, @SequenceNumber long version, @Timestamp Instant at) {
        jdbc.sql("""
                 insert into account (account_id, owner, currency, balance, deposited_total, charged_total,
                                      refunded_total, version, updated_at)
                 values (?, ?, ?, 0, 0, 0, 0, ?, ?)
                 on conflict (account_id) do nothing
                 """)
            .params(event.accountId(), event.owner(), event.currency(), version, ts(at))
            .update();
    }

    @EventHandler
    void on(MoneyDeposited event, @SequenceNumber long version, @Timestamp Instant at) {
        moveMoney(event.accountId(), version, event.amount(), 0, 0, at);
    }

    @EventHandler
    void on(PaymentCharged event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveMoney(event.accountId(), version, 0, event.amount(), 0, at)) {
            payment(event.accountId(), event.orderId(), event.amount(), "CHARGED", null, at);
        }
    }

    @EventHandler
    void on(PaymentDeclined event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveMoney(event.accountId(), version, 0, 0, 0, at)) {
            payment(event.accountId(), event.orderId(), event.amount(), "DECLINED", event.reason(), at);
        }
    }

    @EventHandler
    void on(PaymentRefunded event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveMoney(event.accountId(), version, 0, 0, event.amount(), at)) {
            payment(event.accountId(), event.orderId(), event.amount(), "REFUNDED", null, at);
        }
    }

    @EventHandler
    void on(ReturnRefunded event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveMoney(event.accountId(), version, 0, 0, event.amount(), at)) {
            returnRefund(event.accountId(), event.returnId(), event.orderId(), event.amount(), "REFUNDED", null, at);
        }
    }

    @EventHandler
    void on(ReturnRefundRefused event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveMoney(event.accountId(), version, 0, 0, 0, at)) {
            returnRefund(event.accountId(), event.returnId(), event.orderId(), event.amount(), "REFUSED",
                         event.reason(), at);
        }
    }

    @EventHandler
    void on(AccountClosed event, @SequenceNumber long version, @Timestamp Instant at) {
        jdbc.sql("update account set closed = true, version = ?, updated_at = ? where account_id = ? and version < ?")
            .params(version, ts(at), event.accountId(), version)
            .update();
    }

    /** Applies the amounts once per event: false when the account has already seen this event. */
    private boolean moveMoney(String accountId, long version, long deposited, long charged, long refunded,
                              Instant at) {
        return jdbc.sql("""
                        update account
                           set balance = balance + ? - ? + ?, deposited_total = deposited_total + ?,
                               charged_total = charged_total + ?, refunded_total = refunded_total + ?,
                               version = ?, updated_at = ?
                         where account_id = ? and version < ?
                        """)
                   .params(deposited, charged, refunded, deposited, charged, refunded, version, ts(at), accountId,
                           version)
                   .update() == 1;
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

    private void returnRefund(String accountId, String returnId, String orderId, long amount, String state,
                              String reason, Instant at) {
        jdbc.sql("""
                 insert into return_refund (account_id, return_id, order_id, amount, state, reason, updated_at)
                 values (?, ?, ?, ?, ?, ?, ?)
                 on conflict (account_id, return_id) do nothing
                 """)
            .params(accountId, returnId, orderId, amount, state, reason, ts(at))
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
