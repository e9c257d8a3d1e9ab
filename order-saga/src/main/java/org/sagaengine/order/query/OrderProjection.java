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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code customer_order} in step with the order events, in the processor's transaction. The row's
 * {@code version} is the sequence number of the last event applied; an event seen before changes nothing.
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
