package org.sagaengine.order.query;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Keeps {@code customer_order} in step with the order events, in the processor's transaction. */
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
    void on(OrderPlaced event, @Timestamp Instant at) throws JsonProcessingException {
        jdbc.sql("""
                 insert into customer_order (order_id, account_id, currency, total_amount, status, lines,
                                             placed_at, updated_at)
                 values (?, ?, ?, ?, 'PENDING', cast(? as jsonb), ?, ?)
                 """)
            .params(event.orderId(), event.accountId(), event.currency(), event.totalAmount(),
                    json.writeValueAsString(event.lines()), ts(at), ts(at))
            .update();
    }

    @EventHandler
    void on(OrderConfirmed event, @Timestamp Instant at) {
        finish(event.orderId(), "CONFIRMED", null, at);
    }

    @EventHandler
    void on(OrderRejected event, @Timestamp Instant at) {
        finish(event.orderId(), "REJECTED", event.reason(), at);
    }

    @EventHandler
    void on(OrderCancellationRequested event, @Timestamp Instant at) {
        jdbc.sql("update customer_order set cancellation_requested = true, updated_at = ? where order_id = ?")
            .params(ts(at), event.orderId())
            .update();
    }

    private void finish(String orderId, String status, String reason, Instant at) {
        jdbc.sql("update customer_order set status = ?, reason = ?, updated_at = ? where order_id = ?")
            .params(status, reason, ts(at), orderId)
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
