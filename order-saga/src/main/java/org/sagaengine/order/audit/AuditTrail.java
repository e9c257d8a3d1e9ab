package org.sagaengine.order.audit;

import java.sql.Timestamp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.sagaengine.order.saga.OrderIds;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The audit trail: every event of every service that names an order, in stream order, with what caused it. A
 * projection like the others, but of the whole event stream, and rebuilt from the first event on demand (a reset
 * empties it). It only writes its own table: replaying it sends no command and moves no stock or money.
 */
@Component
@ProcessingGroup(AuditTrail.PROCESSING_GROUP)
class AuditTrail {

    static final String PROCESSING_GROUP = "audit-trail";

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    AuditTrail(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @EventHandler
    void on(Object payload, EventMessage<?> event) throws JsonProcessingException {
        String orderId = OrderIds.of(payload);
        if (orderId == null) {
            return;
        }
        DomainEventMessage<?> domainEvent = event instanceof DomainEventMessage<?> d ? d : null;
        jdbc.sql("""
                 insert into audit_entry (event_id, order_id, position, at, aggregate_type, aggregate_id, sequence,
                                          event_type, payload, correlation_id, trace_id)
                 values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)
                 on conflict (event_id) do nothing
                 """)
            .params(event.getIdentifier(), orderId, positionOf(event), Timestamp.from(event.getTimestamp()),
                    domainEvent == null ? null : domainEvent.getType(),
                    domainEvent == null ? null : domainEvent.getAggregateIdentifier(),
                    domainEvent == null ? null : domainEvent.getSequenceNumber(),
                    event.getPayloadType().getSimpleName(), json.writeValueAsString(payload),
                    event.getMetaData().get("correlationId"), event.getMetaData().get("traceId"))
            .update();
    }

    /**
     * Where the event sits in the stream, from the message's own token: a handler's {@code TrackingToken} parameter
     * can stand for the whole batch, which would place events of one batch at its last position.
     */
    private static long positionOf(EventMessage<?> event) {
        return event instanceof TrackedEventMessage<?> tracked && tracked.trackingToken() != null
                ? tracked.trackingToken().position().orElse(-1)
                : -1;
    }

    @ResetHandler
    void startingOver() {
        jdbc.sql("delete from audit_entry").update();
    }
}
