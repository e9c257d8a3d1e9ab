package org.sagaengine.order.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.sagaengine.order.api.CancelOrder;
import org.sagaengine.order.api.CompleteReturn;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.PlaceOrder;
import org.sagaengine.order.api.RejectOrder;
import org.sagaengine.order.api.RejectReturn;
import org.sagaengine.order.api.RequestReturn;
import org.sagaengine.order.api.ReturnCompleted;
import org.sagaengine.order.api.ReturnLine;
import org.sagaengine.order.api.ReturnRejected;
import org.sagaengine.order.api.ReturnRequested;

/**
 * An order from placement to its one outcome, and the returns of a confirmed order. It does not reserve, charge or
 * refund anything itself: the order saga reacts to {@link OrderPlaced} and ends it with {@link ConfirmOrder} or
 * {@link RejectOrder}; the return saga reacts to {@link ReturnRequested} and ends it with {@link CompleteReturn} or
 * {@link RejectReturn}. No unit is returned twice: a return asks only for what earlier returns, pending or completed,
 * left.
 */
@Aggregate(cache = "orderCache")
public class Order {

    static final int MAX_LINES = 50;
    /** The largest total an order may have, in minor units: far beyond any real order, far below overflow. */
    static final long MAX_TOTAL = 1_000_000_000_000_000L;

    @AggregateIdentifier
    private String orderId;
    private OrderStatus status;
    private boolean cancellationRequested;
    private String accountId;
    private String currency;
    private Map<String, OrderLine> lines = new LinkedHashMap<>();
    private Map<String, OrderReturn> returns = new HashMap<>();

    protected Order() {
    }

    @CommandHandler
    public Order(PlaceOrder command) {
        List<OrderLine> lines = command.lines();
        if (command.accountId() == null || command.accountId().isBlank()) {
            throw new IllegalArgumentException("An order needs an account to pay from.");
        }
        if (command.currency() == null || !command.currency().matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("The currency must be an ISO 4217 code such as EUR.");
        }
        if (lines == null || lines.isEmpty() || lines.size() > MAX_LINES) {
            throw new IllegalArgumentException("An order has from 1 to " + MAX_LINES + " lines.");
        }
        Set<String> products = new HashSet<>();
        long total = 0;
        for (OrderLine line : lines) {
            if (line.quantity() <= 0) {
                throw new IllegalArgumentException("Each line needs a quantity of at least one.");
            }
            if (line.unitPrice() < 0) {
                throw new IllegalArgumentException("A unit price cannot be negative.");
            }
            if (!products.add(line.productId())) {
                throw new IllegalArgumentException("Product " + line.productId() + " appears on more than one line.");
            }
            try {
                total = Math.addExact(total, Math.multiplyExact(line.unitPrice(), (long) line.quantity()));
            } catch (ArithmeticException tooLarge) {
                throw new IllegalArgumentException("The order total is too large.");
            }
        }
        if (total <= 0 || total > MAX_TOTAL) {
            throw new IllegalArgumentException("The order total must be positive and at most " + MAX_TOTAL + ".");
        }
        apply(new OrderPlaced(command.orderId(), command.accountId(), command.currency(), List.copyOf(lines), total));
    }

    @CommandHandler
    public void handle(ConfirmOrder command) {
        if (status == OrderStatus.CONFIRMED) {
            return;
        }
        if (status == OrderStatus.REJECTED) {
            throw new IllegalStateException("Order " + orderId + " was rejected; it cannot be confirmed.");
        }
        apply(new OrderConfirmed(orderId));
    }

    @CommandHandler
    public void handle(RejectOrder command) {
        if (status == OrderStatus.REJECTED) {
            return;
        }
        if (status == OrderStatus.CONFIRMED) {
            throw new IllegalStateException("Order " + orderId + " was confirmed; it cannot be rejected.");
        }
        apply(new OrderRejected(orderId, command.reason()));
    }

    @CommandHandler
    public void handle(CancelOrder command) {
        if (status != OrderStatus.PENDING) {
            throw new IllegalStateException("Order " + orderId + " is " + status + "; only a pending order can be cancelled.");
        }
        if (!cancellationRequested) {
            apply(new OrderCancellationRequested(orderId));
        }
    }

    @CommandHandler
    public void handle(RequestReturn command) {
        List<ReturnLine> returned = command.lines();
        if (returned == null || returned.isEmpty() || returned.size() > MAX_LINES) {
            throw new IllegalArgumentException("A return has from 1 to " + MAX_LINES + " lines.");
        }
        Map<String, Integer> quantities = new LinkedHashMap<>();
        for (ReturnLine line : returned) {
            if (line.quantity() <= 0) {
                throw new IllegalArgumentException("Each returned line needs a quantity of at least one.");
            }
            if (!lines.containsKey(line.productId())) {
                throw new IllegalArgumentException("Product " + line.productId() + " is not on order " + orderId + ".");
            }
            if (quantities.put(line.productId(), line.quantity()) != null) {
                throw new IllegalArgumentException("Product " + line.productId() + " appears on more than one line.");
            }
        }
        OrderReturn known = returns.get(command.returnId());
        if (known != null) {
            if (!known.quantities().equals(quantities)) {
                throw new IllegalStateException("Return " + command.returnId() + " was requested with other lines.");
            }
            return;
        }
        if (status != OrderStatus.CONFIRMED) {
            throw new IllegalStateException("Order " + orderId + " is " + status + "; only a confirmed order can be returned.");
        }
        List<OrderLine> priced = new ArrayList<>();
        long amount = 0;
        for (Map.Entry<String, Integer> line : quantities.entrySet()) {
            OrderLine bought = lines.get(line.getKey());
            int left = bought.quantity() - returnedOf(line.getKey());
            if (line.getValue() > left) {
                throw new IllegalStateException(left + " of " + line.getKey() + " are left to return on order "
                                                        + orderId + ".");
            }
            priced.add(new OrderLine(line.getKey(), line.getValue(), bought.unitPrice()));
            amount += bought.unitPrice() * line.getValue();
        }
        apply(new ReturnRequested(orderId, command.returnId(), accountId, currency, priced, amount));
    }

    @CommandHandler
    public void handle(CompleteReturn command) {
        OrderReturn known = knownReturn(command.returnId());
        if (known.status() == ReturnStatus.REJECTED) {
            throw new IllegalStateException("Return " + command.returnId() + " was rejected; it cannot be completed.");
        }
        if (known.status() == ReturnStatus.REQUESTED) {
            apply(new ReturnCompleted(orderId, command.returnId()));
        }
    }

    @CommandHandler
    public void handle(RejectReturn command) {
        OrderReturn known = knownReturn(command.returnId());
        if (known.status() == ReturnStatus.COMPLETED) {
            throw new IllegalStateException("Return " + command.returnId() + " was completed; it cannot be rejected.");
        }
        if (known.status() == ReturnStatus.REQUESTED) {
            apply(new ReturnRejected(orderId, command.returnId(), command.reason()));
        }
    }

    private OrderReturn knownReturn(String returnId) {
        OrderReturn known = returns.get(returnId);
        if (known == null) {
            throw new IllegalStateException("Order " + orderId + " has no return " + returnId + ".");
        }
        return known;
    }

    /** What the order's returns, pending or completed, take back of a product. */
    private int returnedOf(String productId) {
        return returns.values().stream().filter(r -> r.status() != ReturnStatus.REJECTED)
                      .mapToInt(r -> r.quantities().getOrDefault(productId, 0)).sum();
    }

    @EventSourcingHandler
    void on(OrderPlaced event) {
        orderId = event.orderId();
        status = OrderStatus.PENDING;
        accountId = event.accountId();
        currency = event.currency();
        event.lines().forEach(line -> lines.put(line.productId(), line));
    }

    @EventSourcingHandler
    void on(ReturnRequested event) {
        Map<String, Integer> quantities = new LinkedHashMap<>();
        event.lines().forEach(line -> quantities.put(line.productId(), line.quantity()));
        returns.put(event.returnId(), new OrderReturn(quantities, ReturnStatus.REQUESTED));
    }

    @EventSourcingHandler
    void on(ReturnCompleted event) {
        returns.computeIfPresent(event.returnId(), (id, r) -> new OrderReturn(r.quantities(), ReturnStatus.COMPLETED));
    }

    @EventSourcingHandler
    void on(ReturnRejected event) {
        returns.computeIfPresent(event.returnId(), (id, r) -> new OrderReturn(r.quantities(), ReturnStatus.REJECTED));
    }

    @EventSourcingHandler
    void on(OrderConfirmed event) {
        status = OrderStatus.CONFIRMED;
    }

    @EventSourcingHandler
    void on(OrderRejected event) {
        status = OrderStatus.REJECTED;
    }

    @EventSourcingHandler
    void on(OrderCancellationRequested event) {
        cancellationRequested = true;
    }

    enum ReturnStatus { REQUESTED, COMPLETED, REJECTED }

    record OrderReturn(Map<String, Integer> quantities, ReturnStatus status) {
    }
}
