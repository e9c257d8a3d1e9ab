package org.sagaengine.order.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import org.sagaengine.order.api.RequestReturn;
import org.sagaengine.order.api.ReturnLine;
import org.sagaengine.order.query.ReturnQueries.ReturnView;
import org.sagaengine.order.query.ReturnQueries;
import org.sagaengine.order.saga.ReturnSaga;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Returns of a confirmed order. Requesting one answers {@code 202 Accepted}: the return saga takes the units back,
 * refunds them and completes the return, or rejects it with a reason, and the return's {@code Location} shows its
 * status and the saga's step meanwhile.
 * <p>
 * A client that may send a request twice (after a timeout, say) sends an {@code Idempotency-Key} header: the same key
 * for the same order names the same return, which is requested once.
 */
@RestController
class ReturnController {

    record ReturnLineRequest(
            @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String productId,
            @NotNull @Min(1) @Max(1_000_000) Integer quantity) {
    }

    record ReturnRequest(@NotEmpty @Size(max = 50) List<@NotNull @Valid ReturnLineRequest> lines) {
    }

    record ReturnAccepted(String orderId, String returnId, String status) {
    }

    private final CommandGateway commands;
    private final ReturnQueries queries;
    private final SagaAdmission admission;

    ReturnController(CommandGateway commands, ReturnQueries queries, SagaAdmission admission) {
        this.commands = commands;
        this.queries = queries;
        this.admission = admission;
    }

    @PostMapping("/orders/{orderId}/returns")
    ResponseEntity<ReturnAccepted> request(
            @PathVariable @Pattern(regexp = Ids.PATTERN) String orderId,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String idempotencyKey,
            @Valid @RequestBody ReturnRequest request) {
        String returnId = idempotencyKey == null
                          ? UUID.randomUUID().toString()
                          : UUID.nameUUIDFromBytes((orderId + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
                                .toString();
        List<ReturnLine> lines = request.lines().stream()
                                        .map(line -> new ReturnLine(line.productId(), line.quantity()))
                                        .toList();
        admission.admit(ReturnSaga.DEFINITION.type());
        commands.sendAndWait(new RequestReturn(orderId, returnId, lines));
        return ResponseEntity.accepted().location(URI.create("/orders/" + orderId + "/returns/" + returnId))
                             .body(new ReturnAccepted(orderId, returnId, "REQUESTED"));
    }

    @GetMapping("/orders/{orderId}/returns/{returnId}")
    ReturnView returnOf(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId,
                        @PathVariable @Pattern(regexp = Ids.PATTERN) String returnId) {
        return queries.returnOf(orderId, returnId)
                      .orElseThrow(() -> new NotFound("No return " + returnId + " of order " + orderId + "."));
    }

    @GetMapping("/orders/{orderId}/returns")
    List<ReturnView> returnsOf(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.returnsOf(orderId);
    }
}
