package org.sagaengine.order.view;

import static org.axonframework.eventhandling.GenericEventMessage.asEventMessage;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Pattern;
import org.axonframework.eventhandling.EventBus;
import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.order.view.SagaViewQueries.SagaSummary;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's way out for a saga that does not end by itself: {@code POST /admin/sagas/{type}/{key}/end} asks the
 * saga to compensate what it did and fail with reason {@code ended by operator}; {@code POST
 * /admin/sagas/{orderId}/end} does so for an order's saga. The request is an event in the stream, so the audit trail
 * and the saga's timeline record it. A saga past its pivot (or at a pivot that cannot be undone) can only go forward:
 * it ends when the participant it waits for answers, so it is refused here with what it waits for.
 */
@RestController
class SagaAdminController {

    private static final Logger log = LoggerFactory.getLogger(SagaAdminController.class);

    private final SagaViewQueries queries;
    private final EventBus events;
    private final List<SagaDefinition<?>> definitions;

    SagaAdminController(SagaViewQueries queries, EventBus events, List<SagaDefinition<?>> definitions) {
        this.queries = queries;
        this.events = events;
        this.definitions = definitions;
    }

    @PostMapping("/admin/sagas/{orderId}/end")
    ResponseEntity<?> endOrder(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId, Principal operator) {
        return end("order", orderId, operator);
    }

    @PostMapping("/admin/sagas/{type}/{key}/end")
    ResponseEntity<?> end(@PathVariable @Pattern(regexp = "[a-z][a-z0-9-]{0,31}") String type,
                          @PathVariable @Pattern(regexp = Ids.PATTERN) String key, Principal operator) {
        SagaDefinition<?> definition = definitions.stream().filter(d -> d.type().equals(type)).findFirst()
                                                  .orElseThrow(() -> new IllegalArgumentException("No saga type " + type + "."));
        SagaSummary saga = queries.saga(type, key).map(SagaViewQueries.SagaDetail::saga)
                                  .orElseThrow(() -> new NotFound("No " + type + " saga " + key + "."));
        if (!saga.state().equals("RUNNING") && !saga.state().equals("COMPENSATING")) {
            return conflict("The " + type + " saga " + key + " has already ended: " + saga.state() + ".");
        }
        if (definition.onlyGoesForwardAt(saga.step())) {
            return conflict("The " + type + " saga " + key + " is at " + saga.step() + ", past the point where it "
                    + "can be undone: it can only go forward, and ends when the participant it waits for answers.");
        }
        log.warn("{} {}: {} asks to end its saga at step {}", type, key, operator.getName(), saga.step());
        events.publish(asEventMessage(new SagaEndRequested(type, key, operator.getName())));
        return ResponseEntity.accepted().body(Map.of("type", type, "key", key, "requested", "end",
                                                     "step", saga.step()));
    }

    private static ResponseEntity<ProblemDetail> conflict(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle("Conflict");
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }
}
