package org.sagaengine.order.audit;

import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.validation.constraints.Pattern;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads an order's audit trail, shows how far the audit projection is, and (for the admin) rebuilds it by replaying
 * the whole event stream. Only the audit projection is reset: the saga and the other projections keep their place.
 */
@RestController
class AuditController {

    private static final Logger log = LoggerFactory.getLogger(AuditController.class);

    record AuditEntry(String eventId, long position, OffsetDateTime at, String eventType, String aggregateType, String aggregateId,
                      Long sequence, JsonNode payload, String correlationId, String traceId) {
    }

    /**
     * @param running   whether the audit projection's processor runs
     * @param replaying whether a replay is under way
     * @param position  how far the projection has read, as a position in the event stream
     * @param head      the last position of the event stream
     * @param percent   how much of the stream a replay has covered; 100 when not replaying
     */
    record ReplayStatus(boolean running, boolean replaying, long position, long head, int percent) {
    }

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final JdbcClient jdbc;
    private final ObjectMapper json;

    AuditController(EventProcessingConfiguration processing, EventStore eventStore, JdbcClient jdbc,
                    ObjectMapper json) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.jdbc = jdbc;
        this.json = json;
    }

    @GetMapping("/audit/orders/{orderId}")
    List<AuditEntry> trail(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId) {
        List<AuditEntry> entries = jdbc.sql("""
                                            select event_id, position, at, event_type, aggregate_type, aggregate_id,
                                                   sequence, payload, correlation_id, trace_id
                                              from audit_entry where order_id = ? order by position""")
                                       .param(orderId)
                                       .query((row, n) -> new AuditEntry(
                                               row.getString(1), row.getLong(2),
                                               row.getObject(3, OffsetDateTime.class), row.getString(4),
                                               row.getString(5), row.getString(6), (Long) row.getObject(7),
                                               readTree(row.getString(8)), row.getString(9), row.getString(10)))
                                       .list();
        if (entries.isEmpty()) {
            throw new NotFound("No audit trail for order " + orderId + ".");
        }
        return entries;
    }

    @GetMapping("/audit/replay")
    ReplayStatus status() {
        TrackingEventProcessor processor = processor();
        long head = eventStore.createHeadToken() == null ? 0 : eventStore.createHeadToken().position().orElse(0);
        var segments = processor.processingStatus().values();
        // A segment stays marked as replaying until it passes an event beyond where the reset was made.
        boolean replaying = segments.stream().anyMatch(status -> status.isReplaying()
                && status.getCurrentPosition().orElse(0) < status.getResetPosition().orElse(Long.MAX_VALUE));
        long position = segments.stream()
                                .mapToLong(status -> status.getCurrentPosition().orElse(0))
                                .min().orElse(0);
        int percent = !replaying ? 100 : head == 0 ? 100 : (int) Math.min(100, position * 100 / head);
        return new ReplayStatus(processor.isRunning(), replaying, position, head, percent);
    }

    @PostMapping("/admin/audit/replay")
    ResponseEntity<ReplayStatus> replay() {
        TrackingEventProcessor processor = processor();
        if (status().replaying()) {
            throw new IllegalStateException("A replay of the audit trail is already under way.");
        }
        log.info("Replaying the audit trail from the start of the event stream");
        long head = status().head();
        processor.shutDown();
        processor.resetTokens();
        processor.start();
        // The processor claims its segments a moment later; until then the replay has begun but read nothing.
        return ResponseEntity.accepted().header("Location", "/audit/replay")
                             .body(new ReplayStatus(true, true, 0, head, 0));
    }

    private TrackingEventProcessor processor() {
        return processing.eventProcessor(AuditTrail.PROCESSING_GROUP, TrackingEventProcessor.class)
                         .orElseThrow(() -> new IllegalStateException("The audit trail's processor is not running."));
    }

    private JsonNode readTree(String payload) {
        try {
            return json.readTree(payload);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
