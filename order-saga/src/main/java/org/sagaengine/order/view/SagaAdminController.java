package org.sagaengine.order.view;

import static org.axonframework.eventhandling.GenericEventMessage.asEventMessage;

import java.security.Principal;
import java.util.Map;

import jakarta.validation.constraints.Pattern;
import org.axonframework.eventhandling.EventBus;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.order.saga.OrderSaga;
import org.sagaengine.order.view.SagaViewQueries.SagaSummary;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's way out for a saga that does not end by itself: {@code POST /admin/sagas/{orderId}/end} asks the saga
 * to compensate what it did and reject the order with reason {@code ended by operator}. The request is an event in
 * the stream, so the audit trail and the saga's timeline record it. A saga past the payment can only go forward: it
 * ends when the participant it waits for answers, so it is refused here with what it waits for.
 */
@RestController
@Validated
class SagaAdminController {

    private static final Logger log = LoggerFactory.getLogger(SagaAdminController.class);

    private final SagaViewQueries queries;
    private final EventBus events;

    SagaAdminController(SagaViewQueries queries, EventBus events) {
        this.queries = queries;
        this.events = events;
    }

    @PostMapping("/admin/sagas/{orderId}/end")
    ResponseEntity<?> end(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId, Principal operator) {
        SagaSummary saga = queries.saga(OrderSaga.DEFINITION.type(), orderId).map(SagaViewQueries.SagaDetail::saga)
                                  .orElseThrow(() -> new NotFound("No saga for order " + orderId + "."));
        if (saga.state().equals("CONFIRMED") || saga.state().equals("REJECTED")) {
            return conflict("The saga of order " + orderId + " has already ended: " + saga.state() + ".");
        }
        if (OrderSaga.DEFINITION.onlyGoesForwardAt(saga.step())) {
            return conflict("The saga of order " + orderId + " is past the payment (" + saga.step()
                    + "): it can only go forward, and ends when the participant it waits for answers.");
        }
        log.warn("Order {}: {} asks to end its saga at step {}", orderId, operator.getName(), saga.step());
        events.publish(asEventMessage(new SagaEndRequested(OrderSaga.DEFINITION.type(), orderId, operator.getName())));
        return ResponseEntity.accepted().body(Map.of("orderId", orderId, "requested", "end",
                                                     "step", saga.step()));
    }

    private static ResponseEntity<ProblemDetail> conflict(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle("Conflict");
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }
}
