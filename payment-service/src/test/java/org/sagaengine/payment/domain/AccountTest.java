package org.sagaengine.payment.domain;

import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.payment.api.AccountOpened;
import org.sagaengine.payment.api.ChargePayment;
import org.sagaengine.payment.api.DepositMoney;
import org.sagaengine.payment.api.MoneyDeposited;
import org.sagaengine.payment.api.OpenAccount;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.RefundPayment;

class AccountTest {

    static final String ACCOUNT = "alice";
    static final String ORDER = "order-1";

    AggregateTestFixture<Account> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Account.class);
    }

    @Test
    void opensAnAccountInItsCurrency() {
        fixture.givenNoPriorActivity()
               .when(new OpenAccount(ACCOUNT, "Alice", "EUR"))
               .expectEvents(new AccountOpened(ACCOUNT, "Alice", "EUR"));
    }

    @Test
    void refusesAnUnknownCurrencyCode() {
        fixture.givenNoPriorActivity()
               .when(new OpenAccount(ACCOUNT, "Alice", "euro"))
               .expectException(IllegalArgumentException.class)
               .expectNoEvents();
    }

    @Test
    void refusesANegativeDeposit() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"))
               .when(new DepositMoney(ACCOUNT, -5))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void chargesWhatTheBalanceCovers() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000))
               .when(new ChargePayment(ACCOUNT, ORDER, 1_000, "EUR"))
               .expectEvents(new PaymentCharged(ACCOUNT, ORDER, 1_000));
    }

    @Test
    void declinesAChargeBeyondTheBalance() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000),
                      new PaymentCharged(ACCOUNT, "earlier-order", 600))
               .when(new ChargePayment(ACCOUNT, ORDER, 500, "EUR"))
               .expectEvents(new PaymentDeclined(ACCOUNT, ORDER, 500, Account.INSUFFICIENT_FUNDS));
    }

    @Test
    void declinesAChargeInAnotherCurrency() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000))
               .when(new ChargePayment(ACCOUNT, ORDER, 500, "USD"))
               .expectEvents(new PaymentDeclined(ACCOUNT, ORDER, 500, Account.CURRENCY_MISMATCH));
    }

    @Test
    void neverChargesAnOrderTwice() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000),
                      new PaymentCharged(ACCOUNT, ORDER, 400))
               .when(new ChargePayment(ACCOUNT, ORDER, 400, "EUR"))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void refundsWhatTheOrderWasCharged() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000),
                      new PaymentCharged(ACCOUNT, ORDER, 400))
               .when(new RefundPayment(ACCOUNT, ORDER))
               .expectEvents(new PaymentRefunded(ACCOUNT, ORDER, 400));
    }

    @Test
    void aRepeatedRefundHasNoSecondEffect() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000),
                      new PaymentCharged(ACCOUNT, ORDER, 400), new PaymentRefunded(ACCOUNT, ORDER, 400))
               .when(new RefundPayment(ACCOUNT, ORDER))
               .expectNoEvents();
    }

    @Test
    void aRefundThatOvertakesItsChargeClosesTheAccountToThatOrder() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000))
               .when(new RefundPayment(ACCOUNT, ORDER))
               .expectEvents(new PaymentRefunded(ACCOUNT, ORDER, 0));
    }

    @Test
    void aChargeArrivingAfterItsRefundChargesNothing() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1_000),
                      new PaymentRefunded(ACCOUNT, ORDER, 0))
               .when(new ChargePayment(ACCOUNT, ORDER, 400, "EUR"))
               .expectNoEvents();
    }

    @Test
    void refundedMoneyCanPayAnotherOrder() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 400),
                      new PaymentCharged(ACCOUNT, ORDER, 400), new PaymentRefunded(ACCOUNT, ORDER, 400))
               .when(new ChargePayment(ACCOUNT, "order-2", 400, "EUR"))
               .expectEvents(new PaymentCharged(ACCOUNT, "order-2", 400));
    }

    /**
     * Ids share one namespace. Loaded by the id of a product, Account finds none of its own events: the framework refuses
     * the command before a handler runs, and nothing is appended. The services answer that as for an unknown id.
     */
    record AnotherKindRegistered(String id) {
    }

    @Test
    void refusesADepositOrRefundForTheIdOfAnotherKindWithoutAnEvent() {
        fixture.given(new AnotherKindRegistered("espresso"))
               .when(new DepositMoney("espresso", 6_555))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
        fixture.given(new AnotherKindRegistered("espresso"))
               .when(new RefundPayment("espresso", "order-1"))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
    }
}
