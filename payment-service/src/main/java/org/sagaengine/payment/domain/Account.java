package org.sagaengine.payment.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.HashMap;
import java.util.Map;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.sagaengine.payment.api.AccountOpened;
import org.sagaengine.payment.api.ChargePayment;
import org.sagaengine.payment.api.DepositMoney;
import org.sagaengine.payment.api.MoneyDeposited;
import org.sagaengine.payment.api.OpenAccount;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.RefundPayment;

/**
 * A customer's account, in the minor units of its currency. It remembers every order that has asked it for money, so
 * an order is never charged twice, and a refund that overtakes its charge still leaves the order owing nothing.
 */
@Aggregate(snapshotTriggerDefinition = "accountSnapshotTrigger", cache = "accountCache")
public class Account {

    static final String INSUFFICIENT_FUNDS = "insufficient funds";
    static final String CURRENCY_MISMATCH = "currency mismatch";

    @AggregateIdentifier
    private String accountId;
    private String currency;
    private long balance;
    private Map<String, OrderCharge> charges = new HashMap<>();

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
        if (!currency.equals(command.currency())) {
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
            apply(new PaymentRefunded(accountId, command.orderId(), charge.amount()));
        }
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

    enum ChargeState { CHARGED, DECLINED, REFUNDED }

    record OrderCharge(long amount, ChargeState state) {
    }
}
