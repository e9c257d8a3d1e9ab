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
public class ReturnQueries {

    /**
     * A return with the step its saga is at. {@code status} is {@code REQUESTED}, {@code COMPLETED} or
     * {@code REJECTED}; {@code amount} is what the account gets back, in minor units of {@code currency}.
     */
    public record ReturnView(String returnId, String orderId, String currency, long amount, String status,
                             String reason, List<OrderLine> lines, String sagaStep, String sagaStepDetail,
                             OffsetDateTime requestedAt, OffsetDateTime updatedAt) {
    }

    private static final String RETURN_COLUMNS = """
            select r.return_id, r.order_id, r.currency, r.amount, r.status, r.reason, r.lines, s.step, s.detail,
                   r.requested_at, greatest(r.updated_at, s.updated_at) as updated_at
              from order_return r left join saga_step s on s.saga_type = 'return' and s.saga_key = r.return_id
            """;

    private static final TypeReference<List<OrderLine>> LINES = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    ReturnQueries(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<ReturnView> returnOf(String orderId, String returnId) {
        return jdbc.sql(RETURN_COLUMNS + " where r.order_id = ? and r.return_id = ?").params(orderId, returnId)
                   .query(this::map).optional();
    }

    public List<ReturnView> returnsOf(String orderId) {
        return jdbc.sql(RETURN_COLUMNS + " where r.order_id = ? order by r.requested_at, r.return_id")
                   .param(orderId).query(this::map).list();
    }

    private ReturnView map(ResultSet row, int rowNumber) throws SQLException {
        try {
            return new ReturnView(row.getString("return_id"), row.getString("order_id"), row.getString("currency"),
                                  row.getLong("amount"), row.getString("status"), row.getString("reason"),
                                  json.readValue(row.getString("lines"), LINES), row.getString("step"),
                                  row.getString("detail"), row.getObject("requested_at", OffsetDateTime.class),
                                  row.getObject("updated_at", OffsetDateTime.class));
        } catch (JsonProcessingException e) {
            throw new SQLException("Return " + row.getString("return_id") + " has unreadable lines", e);
        }
    }
}
