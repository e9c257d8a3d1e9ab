package org.sagaengine.order.web;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.sagaengine.engine.SagaAdmission;
import org.sagaengine.order.api.CancelOrder;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.PlaceOrder;
import org.sagaengine.order.query.OrderQueries.OrderView;
import org.sagaengine.order.query.OrderQueries;
import org.sagaengine.order.saga.OrderSaga;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Orders. Placing and cancelling answer {@code 202 Accepted}: the outcome is the saga's, and the order's
 * {@code Location} shows its status and the saga's step until it is {@code CONFIRMED} or {@code REJECTED}. A new
 * order is refused with {@code 503} and {@code Retry-After} while the order sagas are behind ({@link SagaAdmission}).
 */
@RestController
class OrderController {

    record LineRequest(
            @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String productId,
            @NotNull @Min(1) @Max(1_000_000) Integer quantity,
            @NotNull @Min(0) @Max(1_000_000_000_000L) Long unitPrice) {
    }

    record PlaceOrderRequest(
            @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String accountId,
            @NotNull @Pattern(regexp = "[A-Z]{3}", message = "an ISO 4217 code such as EUR") String currency,
            @NotEmpty @Size(max = 50) List<@NotNull @Valid LineRequest> lines) {
    }

    record OrderAccepted(String orderId, String status) {
    }

    private final CommandGateway commands;
    private final OrderQueries queries;
    private final SagaAdmission admission;

    OrderController(CommandGateway commands, OrderQueries queries, SagaAdmission admission) {
        this.commands = commands;
        this.queries = queries;
        this.admission = admission;
    }

    @PostMapping("/orders")
    ResponseEntity<OrderAccepted> place(@Valid @RequestBody PlaceOrderRequest request) {
        String orderId = UUID.randomUUID().toString();
        List<OrderLine> lines = request.lines().stream()
                                       .map(line -> new OrderLine(line.productId(), line.quantity(), line.unitPrice()))
                                       .toList();
        admission.admit(OrderSaga.DEFINITION.type());
        commands.sendAndWait(new PlaceOrder(orderId, request.accountId(), request.currency(), lines));
        return ResponseEntity.accepted().location(URI.create("/orders/" + orderId))
                             .body(new OrderAccepted(orderId, "PENDING"));
    }

    @PostMapping("/orders/{orderId}/cancel")
    ResponseEntity<OrderAccepted> cancel(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId) {
        commands.sendAndWait(new CancelOrder(orderId));
        return ResponseEntity.accepted().location(URI.create("/orders/" + orderId))
                             .body(new OrderAccepted(orderId, "CANCELLATION_REQUESTED"));
    }

    @GetMapping("/orders/{orderId}")
    OrderView order(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.order(orderId).orElseThrow(() -> new NotFound("No order " + orderId + "."));
    }

    @GetMapping("/orders")
    List<OrderView> orders(@RequestParam(required = false) @Pattern(regexp = "PENDING|CONFIRMED|REJECTED") String status,
                           @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
                           @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int offset) {
        return queries.orders(status, limit, offset);
    }
}
