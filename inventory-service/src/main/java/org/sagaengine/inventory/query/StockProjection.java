package org.sagaengine.inventory.query;

import java.time.Instant;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.sagaengine.inventory.api.ProductRegistered;
import org.sagaengine.inventory.api.ProductRestocked;
import org.sagaengine.inventory.api.ReturnRestocked;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;
import org.sagaengine.inventory.api.StockReturnCancelled;
import org.sagaengine.inventory.api.StockReturnRejected;
import org.sagaengine.inventory.api.StockReturned;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code product_stock}, {@code stock_hold} and {@code stock_return} in step with the stock events, in the processor's transaction.
 * Each event first moves the product's {@code version} forward to the event's sequence number; an event the row has
 * already seen (delivered again after a crash or a token reset) moves nothing.
 */
@Component
@ProcessingGroup("stock-projection")
class StockProjection {

    private final JdbcClient jdbc;

    StockProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ProductRegistered event, @SequenceNumber long version, @Timestamp Instant at) {
        jdbc.sql("""
                 insert into product_stock (product_id, name, received_quantity, available_quantity,
                                            reserved_quantity, committed_quantity, version, updated_at)
                 values (?, ?, ?, ?, 0, 0, ?, ?)
                 on conflict (product_id) do nothing
                 """)
            .params(event.productId(), event.name(), event.initialQuantity(), event.initialQuantity(), version, ts(at))
            .update();
    }

    @EventHandler
    void on(ProductRestocked event, @SequenceNumber long version, @Timestamp Instant at) {
        jdbc.sql("""
                 update product_stock
                    set received_quantity = received_quantity + ?, available_quantity = available_quantity + ?,
                        version = ?, updated_at = ?
                  where product_id = ? and version < ?
                 """)
            .params(event.quantity(), event.quantity(), version, ts(at), event.productId(), version)
            .update();
    }

    @EventHandler
    void on(StockReserved event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, -event.quantity(), event.quantity(), 0, at)) {
            hold(event.productId(), event.orderId(), event.quantity(), "RESERVED", at);
        }
    }

    @EventHandler
    void on(StockReservationRejected event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, 0, 0, 0, at)) {
            hold(event.productId(), event.orderId(), 0, "REJECTED", at);
        }
    }

    @EventHandler
    void on(StockReleased event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, event.quantity(), -event.quantity(), 0, at)) {
            hold(event.productId(), event.orderId(), 0, "RELEASED", at);
        }
    }

    @EventHandler
    void on(StockCommitted event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, 0, -event.quantity(), event.quantity(), at)) {
            hold(event.productId(), event.orderId(), event.quantity(), "COMMITTED", at);
        }
    }

    /** Returned units stop counting as sold and are reserved under the return until restocked or cancelled. */
    @EventHandler
    void on(StockReturned event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, 0, event.quantity(), -event.quantity(), at)) {
            returned(event.productId(), event.returnId(), event.orderId(), event.quantity(), "RETURNED", null, at);
        }
    }

    @EventHandler
    void on(StockReturnRejected event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, 0, 0, 0, at)) {
            returned(event.productId(), event.returnId(), event.orderId(), 0, "REJECTED", event.reason(), at);
        }
    }

    @EventHandler
    void on(ReturnRestocked event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, event.quantity(), -event.quantity(), 0, at)) {
            returned(event.productId(), event.returnId(), event.orderId(), event.quantity(), "RESTOCKED", null, at);
        }
    }

    @EventHandler
    void on(StockReturnCancelled event, @SequenceNumber long version, @Timestamp Instant at) {
        if (moveStock(event.productId(), version, 0, -event.quantity(), event.quantity(), at)) {
            returned(event.productId(), event.returnId(), event.orderId(), 0, "CANCELLED", null, at);
        }
    }

    /** Applies the quantities once per event: false when the product has already seen this event. */
    private boolean moveStock(String productId, long version, int available, int reserved, int committed,
                              Instant at) {
        return jdbc.sql("""
                        update product_stock
                           set available_quantity = available_quantity + ?, reserved_quantity = reserved_quantity + ?,
                               committed_quantity = committed_quantity + ?, version = ?, updated_at = ?
                         where product_id = ? and version < ?
                        """)
                   .params(available, reserved, committed, version, ts(at), productId, version)
                   .update() == 1;
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

    private void returned(String productId, String returnId, String orderId, int quantity, String state,
                          String reason, Instant at) {
        jdbc.sql("""
                 insert into stock_return (product_id, return_id, order_id, quantity, state, reason, updated_at)
                 values (?, ?, ?, ?, ?, ?, ?)
                 on conflict (product_id, return_id)
                 do update set quantity = excluded.quantity, state = excluded.state, reason = excluded.reason,
                               updated_at = excluded.updated_at
                 """)
            .params(productId, returnId, orderId, quantity, state, reason, ts(at))
            .update();
    }

    private static java.sql.Timestamp ts(Instant at) {
        return java.sql.Timestamp.from(at);
    }
}
