package org.sagaengine.order.query;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.ReturnCompleted;
import org.sagaengine.order.api.ReturnRejected;
import org.sagaengine.order.api.ReturnRequested;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code customer_order} and {@code order_return} in step with the order events, in the processor's
 * transaction. A row's {@code version} is the order's sequence number of the last event applied to it; an event seen
 * before changes nothing.
 */
@Component
@ProcessingGroup("order-projection")
class OrderProjection {

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    OrderProjection(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @EventHandler
    void on(OrderPlaced event, @SequenceNumber long version, @Timestamp Instant at) throws JsonProcessingException {
        jdbc.sql("""
                 insert into customer_order (order_id, account_id, currency, total_amount, status, lines,
                                             version, placed_at, updated_at)
                 values (?, ?, ?, ?, 'PENDING', cast(? as jsonb), ?, ?, ?)
                 on conflict (order_id) do nothing
                 """)
            .params(event.orderId(), event.accountId(), event.currency(), event.totalAmount(),
                    json.writeValueAsString(event.lines()), version, ts(at), ts(at))
            .update();
    }

    @EventHandler
    void on(OrderConfirmed event, @SequenceNumber long version, @Timestamp Instant at) {
        finish(event.orderId(), version, "CONFIRMED", null, at);
    }

    @EventHandler
    void on(OrderRejected event, @SequenceNumber long version, @Timestamp Instant at) {
        finish(event.orderId(), version, "REJECTED", event.reason(), at);
    }

    @EventHandler
    void on(OrderCancellationRequested event, @SequenceNumber long version, @Timestamp Instant at) {
        jdbc.sql("""
                 update customer_order set cancellation_requested = true, version = ?, updated_at = ?
                  where order_id = ? and version < ?
                 """)
            .params(version, ts(at), event.orderId(), version)
            .update();
    }

    @EventHandler
    void on(ReturnRequested event, @SequenceNumber long version, @Timestamp Instant at) throws JsonProcessingException {
        jdbc.sql("""
                 insert into order_return (return_id, order_id, currency, amount, status, lines, version,
                                           requested_at, updated_at)
                 values (?, ?, ?, ?, 'REQUESTED', cast(? as jsonb), ?, ?, ?)
                 on conflict (return_id) do nothing
                 """)
            .params(event.returnId(), event.orderId(), event.currency(), event.amount(),
                    json.writeValueAsString(event.lines()), version, ts(at), ts(at))
            .update();
    }

    @EventHandler
    void on(ReturnCompleted event, @SequenceNumber long version, @Timestamp Instant at) {
        finishReturn(event.returnId(), version, "COMPLETED", null, at);
    }

    @EventHandler
    void on(ReturnRejected event, @SequenceNumber long version, @Timestamp Instant at) {
        finishReturn(event.returnId(), version, "REJECTED", event.reason(), at);
    }

    private void finishReturn(String returnId, long version, String status, String reason, Instant at) {
        jdbc.sql("""
                 update order_return set status = ?, reason = ?, version = ?, updated_at = ?
                  where return_id = ? and version < ?
                 """)
            .params(status, reason, version, ts(at), returnId, version)
            .update();
    }

    private void finish(String orderId, long version, String status, String reason, Instant at) {
        jdbc.sql("""
                 update customer_order set status = ?, reason = ?, version = ?, updated_at = ?
                  where order_id = ? and version < ?
                 """)
            .params(status, reason, version, ts(at), orderId, version)
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
