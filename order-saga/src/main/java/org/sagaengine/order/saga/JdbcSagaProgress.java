package org.sagaengine.order.saga;

import java.sql.Timestamp;
import java.time.Clock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Writes the step into {@code order_saga_step}; it runs inside the saga processor's transaction. */
@Component
class JdbcSagaProgress implements SagaProgress {

    private final JdbcClient jdbc;
    private final Clock clock;

    JdbcSagaProgress(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void entered(String orderId, SagaStep step, String detail) {
        jdbc.sql("""
                 insert into order_saga_step (order_id, step, detail, updated_at) values (?, ?, ?, ?)
                 on conflict (order_id)
                 do update set step = excluded.step, detail = excluded.detail, updated_at = excluded.updated_at
                 """)
            .params(orderId, step.name(), detail, Timestamp.from(clock.instant()))
            .update();
    }

    @Override
    public boolean hasRun(String orderId) {
        return jdbc.sql("select exists (select 1 from order_saga_step where order_id = ?)")
                   .param(orderId)
                   .query(Boolean.class)
                   .single();
    }
}
