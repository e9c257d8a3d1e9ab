package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Returns end to end, the second business process on the saga engine: over REST, through the three services and
 * their databases. A return takes units back into stock, refunds them and completes; a refused refund gives the units
 * back to the order and rejects the return with the reason. Stock and money stay conserved, no order gets back more
 * than it paid, and a return shows on the dashboard's API as a saga of its own type and in the order's audit trail.
 */
@ExtendWith(RunningSystem.class)
class ReturnsTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final URI inventory = system.uri(INVENTORY);
    final URI payments = system.uri(PAYMENT);
    final Shop shop = new Shop(system);
    final Invariants invariants = new Invariants(system);
    final String run = "r" + Long.toString(System.nanoTime(), 36);

    @Test
    void partReturnedTwiceUntilNothingIsLeftRefundsEachAndPutsTheUnitsBackOnSale() {
        String beans = run + "-beans";
        String mill = run + "-mill";
        String account = run + "-ada";
        shop.product(beans, 10);
        shop.product(mill, 5);
        shop.account(account, 100_000);
        String orderId = shop.place(account, beans, 3, 1_000, mill, 1, 5_000);
        assertThat(shop.awaitEnd(orderId)).isEqualTo("CONFIRMED");

        Api.Response first = shop.requestReturn(orderId, "first", beans, 2);
        assertThat(first.status()).isEqualTo(202);
        String returnId = first.body().get("returnId").asText();
        assertThat(first.location()).isEqualTo("/orders/" + orderId + "/returns/" + returnId);
        Api.Response again = shop.requestReturn(orderId, "first", beans, 2);
        assertThat(again.status()).as("the same key again").isEqualTo(202);
        assertThat(again.body().get("returnId").asText()).isEqualTo(returnId);

        JsonNode returned = shop.awaitReturnEnd(orderId, returnId);
        assertThat(returned.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(returned.get("amount").asLong()).isEqualTo(2_000);
        JsonNode stock = Api.get(inventory, "/products/" + beans).body();
        assertThat(stock.get("availableQuantity").asInt()).as("back on sale").isEqualTo(9);
        assertThat(stock.get("committedQuantity").asInt()).isEqualTo(1);
        JsonNode money = Api.get(payments, "/accounts/" + account).body();
        assertThat(money.get("balance").asLong()).isEqualTo(100_000 - 8_000 + 2_000);
        assertThat(Api.get(payments, "/return-refunds?orderId=" + orderId).body()).as("refunded once").hasSize(1);

        Api.Response tooMany = shop.requestReturn(orderId, "second", beans, 2);
        assertThat(tooMany.status()).as("only one unit of beans is left to return").isEqualTo(409);
        assertThat(tooMany.body().get("detail").asText()).contains("1 of " + beans + " are left to return");
        Api.Response rest = shop.requestReturn(orderId, "rest", beans, 1, mill, 1);
        assertThat(rest.status()).isEqualTo(202);
        assertThat(shop.awaitReturnEnd(orderId, rest.body().get("returnId").asText()).get("status").asText())
                .isEqualTo("COMPLETED");
        assertThat(shop.requestReturn(orderId, "more", mill, 1).status()).as("nothing left").isEqualTo(409);
        assertThat(Api.get(payments, "/accounts/" + account).body().get("balance").asLong())
                .as("every unit returned, every cent back").isEqualTo(100_000);

        invariants.assertHold(List.of(beans, mill), List.of(account), invariants.orderViews(List.of(orderId)));
        assertThat(Api.get(orders, "/orders/" + orderId + "/returns").body()).hasSize(2);
        JsonNode saga = Api.get(orders, "/sagas/return/" + returnId).body();
        assertThat(saga.path("saga").path("state").asText()).isEqualTo("COMPLETED");
        assertThat(saga.path("timeline").findValuesAsText("name"))
                .containsSubsequence("ReturnRequested", "RECEIVING_STOCK", "ReturnStock", "StockReturned",
                                     "REFUNDING", "RefundReturn", "ReturnRefunded", "RESTOCKING", "RestockReturn",
                                     "ReturnRestocked", "COMPLETING_RETURN", "CompleteReturn", "ReturnCompleted",
                                     "COMPLETED");
        assertThat(Api.get(orders, "/sagas/types").body().has("return")).isTrue();
        assertThat(Api.get(orders, "/audit/orders/" + orderId).body().findValuesAsText("eventType"))
                .contains("ReturnRequested", "StockReturned", "ReturnRefunded", "ReturnRestocked", "ReturnCompleted");
    }

    @Test
    void aRefundRefusedByAClosedAccountGivesTheUnitsBackAndRejectsTheReturnWithTheReason() {
        String kettle = run + "-kettle";
        String account = run + "-bo";
        shop.product(kettle, 4);
        shop.account(account, 10_000);
        String orderId = shop.place(account, kettle, 2, 3_000);
        assertThat(shop.awaitEnd(orderId)).isEqualTo("CONFIRMED");
        assertThat(Api.post(payments, "/accounts/" + account + "/close", Map.of()).status()).isEqualTo(202);

        Api.Response requested = shop.requestReturn(orderId, "broken", kettle, 1);
        assertThat(requested.status()).isEqualTo(202);
        String returnId = requested.body().get("returnId").asText();
        JsonNode returned = shop.awaitReturnEnd(orderId, returnId);
        assertThat(returned.get("status").asText()).isEqualTo("REJECTED");
        assertThat(returned.get("reason").asText()).isEqualTo("refund refused: account closed");

        JsonNode stock = Api.get(inventory, "/products/" + kettle).body();
        assertThat(stock.get("availableQuantity").asInt()).isEqualTo(2);
        assertThat(stock.get("committedQuantity").asInt()).as("the unit is the customer's again").isEqualTo(2);
        assertThat(stock.get("reservedQuantity").asInt()).isZero();
        assertThat(Api.get(payments, "/accounts/" + account).body().get("balance").asLong()).isEqualTo(4_000);
        assertThat(Api.get(orders, "/sagas/return/" + returnId).body().path("timeline").findValuesAsText("name"))
                .containsSubsequence("StockReturned", "RefundReturn", "ReturnRefundRefused", "COMPENSATING",
                                     "CancelStockReturn", "StockReturnCancelled", "REJECTING_RETURN", "REJECTED");
        invariants.assertHold(List.of(kettle), List.of(account), invariants.orderViews(List.of(orderId)));
        assertThat(shop.requestReturn(orderId, "again", kettle, 2).status())
                .as("a rejected return leaves its units to return").isEqualTo(202);
    }

    @Test
    void badReturnsAreRefusedAndChangeNothing() {
        String cup = run + "-cup";
        String account = run + "-cy";
        shop.product(cup, 4);
        shop.account(account, 10_000);
        String orderId = shop.place(account, cup, 2, 100);
        assertThat(shop.awaitEnd(orderId)).isEqualTo("CONFIRMED");
        String path = "/orders/" + orderId + "/returns";

        assertProblem(shop.requestReturn(run + "-none", "k", cup, 1), 404);
        assertProblem(shop.requestReturn(orderId, "k", run + "-saucer", 1), 400);
        assertProblem(shop.requestReturn(orderId, "k", cup, 0), 400);
        assertProblem(shop.requestReturn(orderId, "k", cup, 3), 409);
        assertProblem(shop.requestReturn(orderId, "k", cup, 1, cup, 1), 400);
        assertProblem(shop.requestReturn(orderId, "no spaces", cup, 1), 400);
        assertProblem(Api.post(orders, path, "{\"lines\": [{\"productId\": "), 400);
        assertProblem(Api.post(orders, path, Map.of("lines", List.of())), 400);
        assertProblem(Api.get(orders, path + "/" + run + "-none"), 404);
        assertThat(Api.get(orders, path).body()).as("no return was recorded").isEmpty();

        String pending = shop.place(account, cup, 1, 100_000);
        assertProblem(shop.requestReturn(pending, "k", cup, 1), 409);
        shop.awaitEnd(pending);
    }

    private static void assertProblem(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("detail").asText()).doesNotContain("Exception", "org.", "SQL");
    }
}
