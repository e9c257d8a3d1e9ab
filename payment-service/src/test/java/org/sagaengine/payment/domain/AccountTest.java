package org.sagaengine.payment.domain;

import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

    // ---- returns and closing ----

    static final String RETURN = "return-1";

    private Object[] charged(long amount) {
        return new Object[] {new AccountOpened(ACCOUNT, "Alice", "EUR"), new MoneyDeposited(ACCOUNT, 1000),
                             new PaymentCharged(ACCOUNT, ORDER, amount)};
    }

    @Test
    void refundsPartOfWhatAnOrderWasCharged() {
        fixture.given(charged(600))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 200))
               .expectEvents(new ReturnRefunded(ACCOUNT, ORDER, RETURN, 200));
    }

    @Test
    void aReturnRefundDeliveredTwicePaysOnce() {
        fixture.given(charged(600)).andGiven(new ReturnRefunded(ACCOUNT, ORDER, RETURN, 200))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 200))
               .expectNoEvents();
    }

    @Test
    void neverRefundsAnOrderMoreThanItWasChargedAcrossItsReturns() {
        fixture.given(charged(600)).andGiven(new ReturnRefunded(ACCOUNT, ORDER, "return-0", 500))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 200))
               .expectEvents(new ReturnRefundRefused(ACCOUNT, ORDER, RETURN, 200, "order order-1 has 100 left to refund"));
    }

    @Test
    void anOrderNeverChargedHasNothingToRefund() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new PaymentDeclined(ACCOUNT, ORDER, 600, "x"))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 1))
               .expectEvents(new ReturnRefundRefused(ACCOUNT, ORDER, RETURN, 1, "order order-1 has 0 left to refund"));
    }

    @Test
    void refusesAReturnRefundOfNothing() {
        fixture.given(charged(600))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 0))
               .expectException(IllegalArgumentException.class)
               .expectNoEvents();
    }

    @Test
    void aClosedAccountRefusesReturnRefundsAndDeclinesCharges() {
        fixture.given(charged(600)).andGiven(new AccountClosed(ACCOUNT))
               .when(new RefundReturn(ACCOUNT, ORDER, RETURN, 200))
               .expectEvents(new ReturnRefundRefused(ACCOUNT, ORDER, RETURN, 200, "account closed"));
        fixture.given(charged(600)).andGiven(new AccountClosed(ACCOUNT))
               .when(new ChargePayment(ACCOUNT, "order-2", 100, "EUR"))
               .expectEvents(new PaymentDeclined(ACCOUNT, "order-2", 100, "account closed"));
    }

    @Test
    void aClosedAccountRefusesDepositsButStillTakesBackACharge() {
        fixture.given(charged(600)).andGiven(new AccountClosed(ACCOUNT))
               .when(new DepositMoney(ACCOUNT, 100))
               .expectException(IllegalStateException.class)
               .expectNoEvents();
        fixture.given(charged(600)).andGiven(new AccountClosed(ACCOUNT))
               .when(new RefundPayment(ACCOUNT, ORDER))
               .expectEvents(new PaymentRefunded(ACCOUNT, ORDER, 600));
    }

    @Test
    void closingTwiceClosesOnce() {
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"))
               .when(new CloseAccount(ACCOUNT))
               .expectEvents(new AccountClosed(ACCOUNT));
        fixture.given(new AccountOpened(ACCOUNT, "Alice", "EUR"), new AccountClosed(ACCOUNT))
               .when(new CloseAccount(ACCOUNT))
               .expectNoEvents();
    }
}
