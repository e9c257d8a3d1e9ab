package org.sagaengine.payment.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.HashMap;
import java.util.Map;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.sagaengine.payment.api.AccountClosed;
import org.sagaengine.payment.api.AccountOpened;
import org.sagaengine.payment.api.ChargePayment;
import org.sagaengine.payment.api.CloseAccount;
import org.sagaengine.payment.api.DepositMoney;
import org.sagaengine.payment.api.MoneyDeposited;
import org.sagaengine.payment.api.OpenAccount;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.RefundPayment;
import org.sagaengine.payment.api.RefundReturn;
import org.sagaengine.payment.api.ReturnRefundRefused;
import org.sagaengine.payment.api.ReturnRefunded;

/**
 * A customer's account, in the minor units of its currency. It remembers every order that has asked it for money, so
 * an order is never charged twice, and a refund that overtakes its charge still leaves the order owing nothing. It
 * remembers every return's refund the same way, and never pays an order back more than it was charged.
 */
@Aggregate(snapshotTriggerDefinition = "accountSnapshotTrigger", cache = "accountCache")
public class Account {

    static final String INSUFFICIENT_FUNDS = "insufficient funds";
    static final String CURRENCY_MISMATCH = "currency mismatch";
    static final String CLOSED = "account closed";

    @AggregateIdentifier
    private String accountId;
    private String currency;
    private long balance;
    private boolean closed;
    private Map<String, OrderCharge> charges = new HashMap<>();
    private Map<String, ReturnRefund> returnRefunds = new HashMap<>();

    protected Account() {
    }

    @CommandHandler
    public Account(OpenAccount command) {
        if (command.owner() == null || command.owner().isBlank()) {
            throw new IllegalArgumentException("An account needs an owner.");
        }
        if (command.currency() == null || !command.currency().matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("The currency must be an ISO 4217 code such as EUR.");
        }
        apply(new AccountOpened(command.accountId(), command.owner(), command.currency()));
    }

    @CommandHandler
    public void handle(DepositMoney command) {
        if (command.amount() <= 0) {
            throw new IllegalArgumentException("A deposit must be a positive amount.");
        }
        if (closed) {
            throw new IllegalStateException("Account " + accountId + " is closed.");
        }
        apply(new MoneyDeposited(accountId, command.amount()));
    }

    @CommandHandler
    public void handle(ChargePayment command) {
        if (command.amount() <= 0) {
            throw new IllegalArgumentException("A charge must be a positive amount.");
        }
        if (charges.containsKey(command.orderId())) {
            return;
        }
        if (closed) {
            apply(new PaymentDeclined(accountId, command.orderId(), command.amount(), CLOSED));
        } else if (!currency.equals(command.currency())) {
            apply(new PaymentDeclined(accountId, command.orderId(), command.amount(), CURRENCY_MISMATCH));
        } else if (command.amount() > balance) {
            apply(new PaymentDeclined(accountId, command.orderId(), command.amount(), INSUFFICIENT_FUNDS));
        } else {
            apply(new PaymentCharged(accountId, command.orderId(), command.amount()));
        }
    }

    @CommandHandler
    public void handle(RefundPayment command) {
        OrderCharge charge = charges.get(command.orderId());
        if (charge == null || charge.state() == ChargeState.DECLINED) {
            apply(new PaymentRefunded(accountId, command.orderId(), 0));
        } else if (charge.state() == ChargeState.CHARGED) {
            apply(new PaymentRefunded(accountId, command.orderId(), charge.amount() - refundedFor(command.orderId())));
        }
    }

    @CommandHandler
    public void handle(RefundReturn command) {
        if (command.amount() <= 0) {
            throw new IllegalArgumentException("A refund must be a positive amount.");
        }
        if (returnRefunds.containsKey(command.returnId())) {
            return;
        }
        OrderCharge charge = charges.get(command.orderId());
        long refundable = charge == null || charge.state() != ChargeState.CHARGED
                          ? 0 : charge.amount() - refundedFor(command.orderId());
        String refusal = closed ? CLOSED
                         : command.amount() > refundable
                           ? "order " + command.orderId() + " has " + refundable + " left to refund" : null;
        if (refusal != null) {
            apply(new ReturnRefundRefused(accountId, command.orderId(), command.returnId(), command.amount(),
                                          refusal));
        } else {
            apply(new ReturnRefunded(accountId, command.orderId(), command.returnId(), command.amount()));
        }
    }

    @CommandHandler
    public void handle(CloseAccount command) {
        if (!closed) {
            apply(new AccountClosed(accountId));
        }
    }

    /** What the order's returns have been paid back. */
    private long refundedFor(String orderId) {
        return returnRefunds.values().stream().filter(refund -> refund.orderId().equals(orderId))
                            .mapToLong(ReturnRefund::amount).sum();
    }

    @EventSourcingHandler
    void on(AccountOpened event) {
        accountId = event.accountId();
        currency = event.currency();
    }

    @EventSourcingHandler
    void on(MoneyDeposited event) {
        balance += event.amount();
    }

    @EventSourcingHandler
    void on(PaymentCharged event) {
        balance -= event.amount();
        charges.put(event.orderId(), new OrderCharge(event.amount(), ChargeState.CHARGED));
    }

    @EventSourcingHandler
    void on(PaymentDeclined event) {
        charges.put(event.orderId(), new OrderCharge(0, ChargeState.DECLINED));
    }

    @EventSourcingHandler
    void on(PaymentRefunded event) {
        balance += event.amount();
        charges.put(event.orderId(), new OrderCharge(0, ChargeState.REFUNDED));
    }

    @EventSourcingHandler
    void on(ReturnRefunded event) {
        balance += event.amount();
        returnRefunds.put(event.returnId(), new ReturnRefund(event.orderId(), event.amount()));
    }

    @EventSourcingHandler
    void on(ReturnRefundRefused event) {
        returnRefunds.put(event.returnId(), new ReturnRefund(event.orderId(), 0));
    }

    @EventSourcingHandler
    void on(AccountClosed event) {
        closed = true;
    }

    enum ChargeState { CHARGED, DECLINED, REFUNDED }

    /** What a return was paid back: zero when its refund was refused. */
    record ReturnRefund(String orderId, long amount) {
    }

    record OrderCharge(long amount, ChargeState state) {
    }
}
