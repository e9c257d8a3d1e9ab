package org.sagaengine.inventory.query;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class StockQueries {

    public record ProductStockView(String productId, String name, int receivedQuantity, int availableQuantity,
                                   int reservedQuantity, int committedQuantity, OffsetDateTime updatedAt) {
    }

    public record StockHoldView(String productId, String orderId, int quantity, String state, OffsetDateTime updatedAt) {
    }

    public record StockReturnView(String productId, String returnId, String orderId, int quantity, String state,
                                  String reason, OffsetDateTime updatedAt) {
    }

    private static final String PRODUCT_COLUMNS = """
            select product_id, name, received_quantity, available_quantity, reserved_quantity, committed_quantity,
                   updated_at
              from product_stock
            """;

    private final JdbcClient jdbc;

    StockQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<ProductStockView> product(String productId) {
        return jdbc.sql(PRODUCT_COLUMNS + " where product_id = ?").param(productId)
                   .query(ProductStockView.class).optional();
    }

    public List<ProductStockView> products(int limit, int offset) {
        return jdbc.sql(PRODUCT_COLUMNS + " order by product_id limit ? offset ?").params(limit, offset)
                   .query(ProductStockView.class).list();
    }

    public List<StockHoldView> holdsOfOrder(String orderId) {
        return jdbc.sql("""
                        select product_id, order_id, quantity, state, updated_at
                          from stock_hold where order_id = ? order by product_id
                        """)
                   .param(orderId).query(StockHoldView.class).list();
    }

    public List<StockReturnView> returnsOfOrder(String orderId) {
        return jdbc.sql("""
                        select product_id, return_id, order_id, quantity, state, reason, updated_at
                          from stock_return where order_id = ? order by return_id, product_id
                        """)
                   .param(orderId).query(StockReturnView.class).list();
    }
}
