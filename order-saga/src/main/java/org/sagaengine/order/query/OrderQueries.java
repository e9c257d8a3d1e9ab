package org.sagaengine.order.query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sagaengine.order.api.OrderLine;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class OrderQueries {

    /**
     * An order with the step its saga is at. Amounts are in minor units of {@code currency}; {@code sagaStep} is
     * null for the moment between the order being placed and its saga starting.
     */
    public record OrderView(String orderId, String accountId, String currency, long totalAmount, String status,
                            String reason, boolean cancellationRequested, List<OrderLine> lines, String sagaStep,
                            String sagaStepDetail, OffsetDateTime placedAt, OffsetDateTime updatedAt) {
    }

    private static final String ORDER_COLUMNS = """
            select o.order_id, o.account_id, o.currency, o.total_amount, o.status, o.reason,
                   o.cancellation_requested, o.lines, s.step, s.detail, o.placed_at,
                   greatest(o.updated_at, s.updated_at) as updated_at
              from customer_order o left join saga_step s on s.saga_type = 'order' and s.saga_key = o.order_id
            """;

    private static final TypeReference<List<OrderLine>> LINES = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    OrderQueries(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<OrderView> order(String orderId) {
        return jdbc.sql(ORDER_COLUMNS + " where o.order_id = ?").param(orderId).query(this::map).optional();
    }

    public List<OrderView> orders(String status, int limit, int offset) {
        if (status == null) {
            return jdbc.sql(ORDER_COLUMNS + " order by o.placed_at desc, o.order_id limit ? offset ?")
                       .params(limit, offset).query(this::map).list();
        }
        return jdbc.sql(ORDER_COLUMNS + " where o.status = ? order by o.placed_at desc, o.order_id limit ? offset ?")
                   .params(status, limit, offset).query(this::map).list();
    }

    private OrderView map(ResultSet row, int rowNumber) throws SQLException {
        try {
            return new OrderView(row.getString("order_id"), row.getString("account_id"), row.getString("currency"),
                                 row.getLong("total_amount"), row.getString("status"), row.getString("reason"),
                                 row.getBoolean("cancellation_requested"),
                                 json.readValue(row.getString("lines"), LINES), row.getString("step"),
                                 row.getString("detail"), row.getObject("placed_at", OffsetDateTime.class),
                                 row.getObject("updated_at", OffsetDateTime.class));
        } catch (JsonProcessingException e) {
            throw new SQLException("Order " + row.getString("order_id") + " has unreadable lines", e);
        }
    }
}
