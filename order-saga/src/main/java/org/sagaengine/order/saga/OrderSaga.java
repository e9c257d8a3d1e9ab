package org.sagaengine.order.saga;

import static org.axonframework.eventhandling.GenericEventMessage.asEventMessage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.modelling.saga.EndSaga;
import org.axonframework.modelling.saga.SagaEventHandler;
import org.axonframework.modelling.saga.SagaLifecycle;
import org.axonframework.modelling.saga.StartSaga;
import org.axonframework.spring.stereotype.Saga;
import org.sagaengine.inventory.api.CommitStock;
import org.sagaengine.inventory.api.ReleaseStock;
import org.sagaengine.inventory.api.ReserveStock;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.RejectOrder;
import org.sagaengine.payment.api.ChargePayment;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.RefundPayment;
import org.sagaengine.platform.CommandGatewayConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Carries one order across inventory and payment: reserve every line, charge the account, commit every line, confirm.
 * <p>
 * Until the payment is charged, any refusal, timeout or cancellation is compensated in reverse: every line is released
 * and the payment refunded, and the order is rejected only when each participant has acknowledged its compensation.
 * Releases and refunds are sent for every step that was asked for, answered or not: the participants treat them as
 * closing the order, so a reservation or charge that arrives after its compensation has no effect. Once the payment
 * is charged, the saga only goes forward, sending what is missing again until it is acknowledged.
 */
@Saga
public class OrderSaga {

    static final String STOCK_RESERVATION_DEADLINE = "stock-reservation-deadline";
    static final String PAYMENT_DEADLINE = "payment-deadline";
    static final String COMMIT_RETRY = "commit-retry";
    static final String COMPENSATION_RETRY = "compensation-retry";

    static final String REASON_TIMEOUT = "timeout";
    static final String REASON_CANCELLED = "cancelled";
    static final String REASON_ENDED_BY_OPERATOR = "ended by operator";

    private static final Logger log = LoggerFactory.getLogger(OrderSaga.class);

    @Autowired
    private transient CommandGateway commands;
    @Autowired
    private transient DeadlineManager deadlines;
    @Autowired
    private transient EventBus eventBus;
    @Autowired
    private transient SagaProgress progress;
    @Autowired
    private transient SagaTimeouts timeouts;

    private String orderId;
    private String accountId;
    private String currency;
    private long totalAmount;
    private List<OrderLine> lines = new ArrayList<>();
    private SagaStep step;
    private String rejectionReason;
    private Set<String> reservedProducts = new LinkedHashSet<>();
    private Set<String> rejectedProducts = new LinkedHashSet<>();
    private Set<String> committedProducts = new LinkedHashSet<>();
    private Set<String> releasesAwaited = new LinkedHashSet<>();
    private boolean chargeRequested;
    private boolean chargeDeclined;
    private boolean refundAwaited;
    // The deadlines in force, by name and id: cancelling by id is one lookup, by scope a scan of every deadline.
    private String stepDeadlineName;
    private String stepDeadlineId;
    private String retryName;
    private String retryId;

    // ---- the happy path ----

    @StartSaga
    @SagaEventHandler(associationProperty = "orderId")
    public void on(OrderPlaced event) {
        if (step != null || progress.hasRun(event.orderId())) {
            // Delivered again (a processor resumed from an older token): this order's saga runs or has run already.
            log.info("Order {}: placed again in the event stream, its saga has already started", event.orderId());
            if (step == null) {
                SagaLifecycle.end();
            }
            return;
        }
        orderId = event.orderId();
        replied("OrderPlaced", event.lines().size() + " line(s), " + event.totalAmount() + " " + event.currency());
        accountId = event.accountId();
        currency = event.currency();
        totalAmount = event.totalAmount();
        lines = new ArrayList<>(event.lines());
        enter(SagaStep.RESERVING_STOCK, lines.size() + " line(s)");
        scheduleStepDeadline(STOCK_RESERVATION_DEADLINE);
        send(lines.stream()
                  .map(line -> new Outgoing(new ReserveStock(line.productId(), orderId, line.quantity()),
                                            line.productId()))
                  .toList());
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(StockReserved event) {
        replied("StockReserved", event.productId() + " x" + event.quantity());
        reservedProducts.add(event.productId());
        if (step == SagaStep.COMPENSATING && releasesAwaited.contains(event.productId())) {
            // A late reservation: the release sent before it will undo it; say so again in case that one was lost.
            send(new ReleaseStock(event.productId(), orderId), event.productId());
            return;
        }
        if (step == SagaStep.RESERVING_STOCK && reservedProducts.size() == lines.size()) {
            enter(SagaStep.CHARGING_PAYMENT, totalAmount + " " + currency);
            scheduleStepDeadline(PAYMENT_DEADLINE);
            chargeRequested = true;
            send(new ChargePayment(accountId, orderId, totalAmount, currency), accountId);
        }
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(PaymentCharged event) {
        replied("PaymentCharged", String.valueOf(event.amount()));
        if (step == SagaStep.CHARGING_PAYMENT) {
            cancelStepDeadline();
            enter(SagaStep.COMMITTING_STOCK, lines.size() + " line(s)");
            scheduleRetry(COMMIT_RETRY);
            sendMissingCommits();
        } else if (step == SagaStep.COMPENSATING && !refundAwaited) {
            refundAwaited = true;
            send(new RefundPayment(accountId, orderId), accountId);
        }
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(StockCommitted event) {
        replied("StockCommitted", event.productId());
        committedProducts.add(event.productId());
        if (step == SagaStep.COMMITTING_STOCK && committedProducts.size() == lines.size()) {
            enter(SagaStep.CONFIRMING_ORDER, null);
            send(new ConfirmOrder(orderId), orderId);
        }
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "orderId")
    public void on(OrderConfirmed event) {
        replied("OrderConfirmed", null);
        cancelRetry();
        enter(SagaStep.CONFIRMED, null);
    }

    // ---- what makes the saga compensate ----

    @SagaEventHandler(associationProperty = "orderId")
    public void on(StockReservationRejected event) {
        replied("StockReservationRejected", event.productId() + ": " + event.reason());
        rejectedProducts.add(event.productId());
        if (step == SagaStep.RESERVING_STOCK) {
            compensate("out of stock: " + event.productId());
        }
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(PaymentDeclined event) {
        replied("PaymentDeclined", event.reason());
        chargeDeclined = true;
        if (step == SagaStep.CHARGING_PAYMENT) {
            compensate("payment declined: " + event.reason());
        }
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(OrderCancellationRequested event) {
        replied("OrderCancellationRequested", null);
        if (step.canCompensate()) {
            compensate(REASON_CANCELLED);
        } else {
            log.info("Order {} asked to be cancelled at step {}: too late, the payment is charged", orderId, step);
        }
    }

    /**
     * An operator ends the saga: before the payment it compensates as a cancel would; while compensating, the reason
     * becomes the operator's and what is unacknowledged is sent again at once; while rejecting, the rejection is sent
     * again. Past the payment it can only go forward, so the request changes nothing (the admin endpoint says so).
     */
    @SagaEventHandler(associationProperty = "orderId")
    public void on(SagaEndRequested event) {
        replied("SagaEndRequested", "by " + event.requestedBy() + " at " + step);
        if (step.canCompensate()) {
            compensate(REASON_ENDED_BY_OPERATOR);
        } else if (step == SagaStep.COMPENSATING) {
            rejectionReason = REASON_ENDED_BY_OPERATOR;
            scheduleRetry(COMPENSATION_RETRY);
            sendMissingCompensations();
        } else if (step == SagaStep.REJECTING_ORDER) {
            scheduleRetry(COMPENSATION_RETRY);
            send(new RejectOrder(orderId, rejectionReason), orderId);
        } else {
            log.info("Order {}: asked to end at step {}; past the payment it only goes forward", orderId, step);
        }
    }

    /**
     * A refused reservation or charge held nothing, like a rejection; a refused release or refund has nothing to give
     * back, since compensating what never happened counts as done. A failure that may not have reached the
     * participant is left to the step's deadline or retry. An order that cannot be marked rejected (it is unknown to
     * the order service) ends the saga all the same: there is nothing left to compensate.
     */
    @SagaEventHandler(associationProperty = "orderId")
    public void on(ParticipantCommandFailed event) {
        replied("ParticipantCommandFailed", event.command() + " for " + event.target() + ": " + event.failure());
        if (event.refused()) {
            switch (event.command()) {
                case "ReserveStock" -> rejectedProducts.add(event.target());
                case "ChargePayment" -> chargeDeclined = true;
                case "ReleaseStock" -> releasesAwaited.remove(event.target());
                case "RefundPayment" -> refundAwaited = false;
                default -> {
                }
            }
        }
        if (step.canCompensate()) {
            compensate(event.unknownTarget()
                               ? "unknown " + kindOf(event.command()) + ": " + event.target()
                               : event.command() + " failed for " + event.target() + ": " + event.failure());
        } else if (step == SagaStep.COMPENSATING) {
            rejectIfCompensated();
        } else if (step == SagaStep.REJECTING_ORDER && event.refused() && event.command().equals("RejectOrder")) {
            cancelRetry();
            enter(SagaStep.REJECTED, rejectionReason + " (the order could not be marked rejected: "
                    + event.failure() + ")");
            SagaLifecycle.end();
        }
    }

    private static String kindOf(String command) {
        return switch (command) {
            case "ReserveStock", "ReleaseStock", "CommitStock" -> "product";
            case "ChargePayment", "RefundPayment" -> "account";
            default -> "order";
        };
    }

    @DeadlineHandler(deadlineName = STOCK_RESERVATION_DEADLINE)
    public void stockReservationTimedOut() {
        fired(STOCK_RESERVATION_DEADLINE);
        if (step == SagaStep.RESERVING_STOCK) {
            compensate(REASON_TIMEOUT);
        }
    }

    @DeadlineHandler(deadlineName = PAYMENT_DEADLINE)
    public void paymentTimedOut() {
        fired(PAYMENT_DEADLINE);
        if (step == SagaStep.CHARGING_PAYMENT) {
            compensate(REASON_TIMEOUT);
        }
    }

    // ---- compensation, in reverse ----

    private void compensate(String reason) {
        rejectionReason = reason;
        cancelStepDeadline();
        enter(SagaStep.COMPENSATING, reason);
        if (chargeRequested && !chargeDeclined) {
            refundAwaited = true;
        }
        lines.stream()
             .map(OrderLine::productId)
             .filter(productId -> !rejectedProducts.contains(productId))
             .forEach(releasesAwaited::add);
        if (releasesAwaited.isEmpty() && !refundAwaited) {
            rejectOrder();
            return;
        }
        scheduleRetry(COMPENSATION_RETRY);
        sendMissingCompensations();
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(PaymentRefunded event) {
        replied("PaymentRefunded", String.valueOf(event.amount()));
        if (step == SagaStep.COMPENSATING) {
            refundAwaited = false;
            rejectIfCompensated();
        }
    }

    @SagaEventHandler(associationProperty = "orderId")
    public void on(StockReleased event) {
        replied("StockReleased", event.productId());
        if (step == SagaStep.COMPENSATING) {
            releasesAwaited.remove(event.productId());
            rejectIfCompensated();
        }
    }

    private void rejectIfCompensated() {
        if (releasesAwaited.isEmpty() && !refundAwaited) {
            rejectOrder();
        }
    }

    private void rejectOrder() {
        enter(SagaStep.REJECTING_ORDER, rejectionReason);
        scheduleRetry(COMPENSATION_RETRY);
        send(new RejectOrder(orderId, rejectionReason), orderId);
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "orderId")
    public void on(OrderRejected event) {
        replied("OrderRejected", event.reason());
        cancelRetry();
        enter(SagaStep.REJECTED, event.reason());
    }

    // ---- steps that can no longer be refused are sent again until acknowledged ----

    @DeadlineHandler(deadlineName = COMMIT_RETRY)
    public void commitStillUnacknowledged() {
        fired(COMMIT_RETRY);
        if (step != SagaStep.COMMITTING_STOCK && step != SagaStep.CONFIRMING_ORDER) {
            return;
        }
        log.warn("Order {}: {} still unacknowledged, sending again", orderId, step);
        scheduleRetry(COMMIT_RETRY);
        if (step == SagaStep.COMMITTING_STOCK) {
            sendMissingCommits();
        } else {
            send(new ConfirmOrder(orderId), orderId);
        }
    }

    @DeadlineHandler(deadlineName = COMPENSATION_RETRY)
    public void compensationStillUnacknowledged() {
        fired(COMPENSATION_RETRY);
        if (step != SagaStep.COMPENSATING && step != SagaStep.REJECTING_ORDER) {
            return;
        }
        log.warn("Order {}: {} still unacknowledged, sending again", orderId, step);
        scheduleRetry(COMPENSATION_RETRY);
        if (step == SagaStep.COMPENSATING) {
            sendMissingCompensations();
        } else {
            send(new RejectOrder(orderId, rejectionReason), orderId);
        }
    }

    private void sendMissingCommits() {
        send(lines.stream()
                  .map(OrderLine::productId)
                  .filter(productId -> !committedProducts.contains(productId))
                  .map(productId -> new Outgoing(new CommitStock(productId, orderId), productId))
                  .toList());
    }

    private void sendMissingCompensations() {
        List<Outgoing> compensations = new ArrayList<>();
        releasesAwaited.forEach(productId -> compensations.add(
                new Outgoing(new ReleaseStock(productId, orderId), productId)));
        if (refundAwaited) {
            compensations.add(new Outgoing(new RefundPayment(accountId, orderId), accountId));
        }
        send(compensations);
    }

    private void scheduleStepDeadline(String name) {
        cancelStepDeadline();
        stepDeadlineName = name;
        stepDeadlineId = deadlines.schedule(timeouts.stepTimeout(), name);
        progress.due(orderId, timeouts.stepTimeout());
    }

    private void cancelStepDeadline() {
        if (stepDeadlineId != null) {
            deadlines.cancelSchedule(stepDeadlineName, stepDeadlineId);
            stepDeadlineId = null;
            progress.due(orderId, null);
        }
    }

    private void scheduleRetry(String name) {
        cancelRetry();
        retryName = name;
        retryId = deadlines.schedule(timeouts.retryInterval(), name);
        progress.due(orderId, timeouts.retryInterval());
    }

    private void cancelRetry() {
        if (retryId != null) {
            deadlines.cancelSchedule(retryName, retryId);
            retryId = null;
            progress.due(orderId, null);
        }
    }

    private void enter(SagaStep next, String detail) {
        log.info("Order {}: {}{}", orderId, next, detail == null ? "" : " (" + detail + ")");
        step = next;
        progress.entered(orderId, next, detail);
    }

    private void replied(String event, String detail) {
        progress.noted(orderId, SagaProgress.Entry.REPLY, event, detail);
    }

    private void fired(String deadline) {
        progress.noted(orderId, SagaProgress.Entry.DEADLINE, deadline, "in " + step);
    }

    /** A command and whom it is for: the product, the account or the order. */
    private record Outgoing(Object command, String target) {
    }

    private void send(Object command, String target) {
        send(List.of(new Outgoing(command, target)));
    }

    /**
     * Sends without waiting; the gateway retries transient failures. A command that still fails is published as
     * {@link ParticipantCommandFailed}, which reaches this saga like any reply.
     * <p>
     * Every handler sends last, and everything it writes (its step, deadlines, timeline) is written before the first
     * command leaves: a handler that fails has then sent nothing, so its event can wait as a dead letter and be
     * handled again as if for the first time.
     */
    private void send(List<Outgoing> batch) {
        for (Outgoing outgoing : batch) {
            boolean undoes = outgoing.command() instanceof ReleaseStock || outgoing.command() instanceof RefundPayment;
            progress.noted(orderId, undoes ? SagaProgress.Entry.COMPENSATION : SagaProgress.Entry.COMMAND,
                           outgoing.command().getClass().getSimpleName(), outgoing.target());
        }
        batch.forEach(outgoing -> dispatch(outgoing.command(), outgoing.target()));
    }

    private void dispatch(Object command, String target) {
        String commandName = command.getClass().getSimpleName();
        String sagaOrderId = orderId;
        EventBus events = eventBus;
        commands.send(command).exceptionally(failure -> {
            log.warn("Order {}: {} for {} failed: {}", sagaOrderId, commandName, target, failure.toString());
            events.publish(asEventMessage(new ParticipantCommandFailed(
                    sagaOrderId, commandName, target, CommandGatewayConfiguration.isRefusal(failure),
                    CommandGatewayConfiguration.isUnknownTarget(failure),
                    CommandGatewayConfiguration.reason(failure))));
            return null;
        });
    }
}
