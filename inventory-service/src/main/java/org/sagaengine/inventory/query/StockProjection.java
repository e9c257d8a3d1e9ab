package org.sagaengine.inventory.query;

import java.time.Instant;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.inventory.api.ProductRegistered;
import org.sagaengine.inventory.api.ProductRestocked;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Keeps {@code product_stock} and {@code stock_hold} in step with the stock events, in the processor's transaction. */
@Component
@ProcessingGroup("stock-projection")
class StockProjection {

    private final JdbcClient jdbc;

    StockProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ProductRegistered event, @Timestamp Instant at) {
        jdbc.sql("""
                 insert into product_stock (product_id, name, received_quantity, available_quantity,
                                            reserved_quantity, committed_quantity, updated_at)
                 values (?, ?, ?, ?, 0, 0, ?)
                 """)
            .params(event.productId(), event.name(), event.initialQuantity(), event.initialQuantity(), ts(at))
            .update();
    }

    @EventHandler
    void on(ProductRestocked event, @Timestamp Instant at) {
        jdbc.sql("""
                 update product_stock
                    set received_quantity = received_quantity + ?, available_quantity = available_quantity + ?,
                        updated_at = ?
                  where product_id = ?
                 """)
            .params(event.quantity(), event.quantity(), ts(at), event.productId())
            .update();
    }

    @EventHandler
    void on(StockReserved event, @Timestamp Instant at) {
        moveStock(event.productId(), -event.quantity(), event.quantity(), 0, at);
        hold(event.productId(), event.orderId(), event.quantity(), "RESERVED", at);
    }

    @EventHandler
    void on(StockReservationRejected event, @Timestamp Instant at) {
        hold(event.productId(), event.orderId(), 0, "REJECTED", at);
    }

    @EventHandler
    void on(StockReleased event, @Timestamp Instant at) {
        moveStock(event.productId(), event.quantity(), -event.quantity(), 0, at);
        hold(event.productId(), event.orderId(), 0, "RELEASED", at);
    }

    @EventHandler
    void on(StockCommitted event, @Timestamp Instant at) {
        moveStock(event.productId(), 0, -event.quantity(), event.quantity(), at);
        hold(event.productId(), event.orderId(), event.quantity(), "COMMITTED", at);
    }

    private void moveStock(String productId, int available, int reserved, int committed, Instant at) {
        jdbc.sql("""
                 update product_stock
                    set available_quantity = available_quantity + ?, reserved_quantity = reserved_quantity + ?,
                        committed_quantity = committed_quantity + ?, updated_at = ?
                  where product_id = ?
                 """)
            .params(available, reserved, committed, ts(at), productId)
            .update();
    }

    private void hold(String productId, String orderId, int quantity, String state, Instant at) {
        jdbc.sql("""
                 insert into stock_hold (product_id, order_id, quantity, state, updated_at)
                 values (?, ?, ?, ?, ?)
                 on conflict (product_id, order_id)
                 do update set quantity = excluded.quantity, state = excluded.state, updated_at = excluded.updated_at
                 """)
            .params(productId, orderId, quantity, state, ts(at))
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
