package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Invariants 1, 2 and 4 of docs/architecture.md, checked against what the services show over REST once every saga has
 * ended, and the terminal state of invariant 3, for orders and for the returns of confirmed orders. Shared by the
 * end-to-end tests that run workloads.
 */
final class Invariants {

    private final URI orders;
    private final URI inventory;
    private final URI payments;

    Invariants(EmbeddedSystem system) {
        this.orders = system.uri(ORDER_SAGA);
        this.inventory = system.uri(INVENTORY);
        this.payments = system.uri(PAYMENT);
    }

    /** Invariant 3's end: the order's status is final and its saga has reached the same step. */
    static boolean isTerminal(JsonNode order) {
        String status = order.path("status").asText();
        return (status.equals("CONFIRMED") || status.equals("REJECTED"))
                && order.path("sagaStep").asText().equals(status);
    }

    List<JsonNode> orderViews(Collection<String> orderIds) {
        List<JsonNode> views = new ArrayList<>();
        orderIds.forEach(id -> views.add(Api.get(orders, "/orders/" + id).body()));
        return views;
    }

    /** A return's end: its status is final and its saga has reached the same step. */
    static boolean isTerminalReturn(JsonNode returned) {
        String status = returned.path("status").asText();
        return (status.equals("COMPLETED") || status.equals("REJECTED"))
                && returned.path("sagaStep").asText().equals(status);
    }

    /**
     * Invariants 1, 2 and 4 for these products and accounts, given every order placed against them: what confirmed
     * orders bought, less what their completed returns gave back, is what is sold and paid for.
     */
    void assertHold(List<String> products, List<String> accounts, Collection<JsonNode> orderViews) {
        Map<String, JsonNode> returns = new HashMap<>();
        orderViews.stream().filter(order -> order.get("status").asText().equals("CONFIRMED"))
                  .forEach(order -> returns.put(order.get("orderId").asText(), Api.get(
                          orders, "/orders/" + order.get("orderId").asText() + "/returns").body()));
        assertStockIsConserved(products, orderViews, returns);
        assertMoneyIsConserved(accounts, orderViews, returns);
        orderViews.forEach(this::assertOutcomeAgreesWithParticipants);
        orderViews.forEach(order -> assertReturnsAgreeWithParticipants(
                order, returns.getOrDefault(order.get("orderId").asText(), Api.JSON.createArrayNode())));
    }

    private static List<JsonNode> completed(JsonNode returnsOfOrder) {
        List<JsonNode> completed = new ArrayList<>();
        returnsOfOrder.forEach(returned -> {
            if (returned.get("status").asText().equals("COMPLETED")) {
                completed.add(returned);
            }
        });
        return completed;
    }

    private void assertStockIsConserved(List<String> products, Iterable<JsonNode> orderViews,
                                        Map<String, JsonNode> returns) {
        Map<String, Integer> committedByConfirmedOrders = new HashMap<>();
        for (JsonNode order : orderViews) {
            if (order.get("status").asText().equals("CONFIRMED")) {
                order.get("lines").forEach(line -> committedByConfirmedOrders.merge(
                        line.get("productId").asText(), line.get("quantity").asInt(), Integer::sum));
                completed(returns.get(order.get("orderId").asText())).forEach(returned -> returned.get("lines").forEach(
                        line -> committedByConfirmedOrders.merge(line.get("productId").asText(),
                                                                 -line.get("quantity").asInt(), Integer::sum)));
            }
        }
        for (String productId : products) {
            JsonNode stock = Api.get(inventory, "/products/" + productId).body();
            int available = stock.get("availableQuantity").asInt();
            int reserved = stock.get("reservedQuantity").asInt();
            int committed = stock.get("committedQuantity").asInt();
            assertThat(available + reserved + committed).as("stock of %s", productId)
                                                         .isEqualTo(stock.get("receivedQuantity").asInt());
            assertThat(available).as("available %s", productId).isNotNegative();
            assertThat(reserved).as("still reserved of %s after every saga ended", productId).isZero();
            assertThat(committed).as("committed %s", productId)
                                 .isEqualTo(committedByConfirmedOrders.getOrDefault(productId, 0));
        }
    }

    private void assertMoneyIsConserved(List<String> accounts, Iterable<JsonNode> orderViews,
                                        Map<String, JsonNode> returns) {
        Map<String, Long> paidByConfirmedOrders = new HashMap<>();
        for (JsonNode order : orderViews) {
            if (order.get("status").asText().equals("CONFIRMED")) {
                long refunded = completed(returns.get(order.get("orderId").asText())).stream()
                                                                                     .mapToLong(r -> r.get("amount").asLong())
                                                                                     .sum();
                assertThat(refunded).as("refunded of %s", order.get("orderId").asText())
                                    .isLessThanOrEqualTo(order.get("totalAmount").asLong());
                paidByConfirmedOrders.merge(order.get("accountId").asText(),
                                            order.get("totalAmount").asLong() - refunded, Long::sum);
            }
        }
        long deposits = 0;
        long balancesAndNetCharges = 0;
        for (String accountId : accounts) {
            JsonNode account = Api.get(payments, "/accounts/" + accountId).body();
            long balance = account.get("balance").asLong();
            long netCharged = account.get("chargedTotal").asLong() - account.get("refundedTotal").asLong();
            assertThat(balance).as("balance of %s", accountId).isNotNegative();
            assertThat(balance + netCharged).as("money of %s", accountId)
                                            .isEqualTo(account.get("depositedTotal").asLong());
            assertThat(netCharged).as("net charges of %s", accountId)
                                  .isEqualTo(paidByConfirmedOrders.getOrDefault(accountId, 0L));
            deposits += account.get("depositedTotal").asLong();
            balancesAndNetCharges += balance + netCharged;
        }
        assertThat(balancesAndNetCharges).isEqualTo(deposits);
    }

    private void assertOutcomeAgreesWithParticipants(JsonNode order) {
        String orderId = order.get("orderId").asText();
        JsonNode holds = Api.get(inventory, "/stock-holds?orderId=" + orderId).body();
        JsonNode charges = Api.get(payments, "/payments?orderId=" + orderId).body();
        if (order.get("status").asText().equals("CONFIRMED")) {
            Map<String, Integer> committed = new HashMap<>();
            holds.forEach(hold -> {
                assertThat(hold.get("state").asText()).as("hold of confirmed %s", orderId).isEqualTo("COMMITTED");
                committed.put(hold.get("productId").asText(), hold.get("quantity").asInt());
            });
            Map<String, Integer> ordered = new HashMap<>();
            order.get("lines").forEach(line -> ordered.put(line.get("productId").asText(),
                                                           line.get("quantity").asInt()));
            assertThat(committed).as("committed lines of %s", orderId).isEqualTo(ordered);
            assertThat(charges).as("payments of %s", orderId).hasSize(1);
            assertThat(charges.get(0).get("state").asText()).isEqualTo("CHARGED");
            assertThat(charges.get(0).get("amount").asLong()).isEqualTo(order.get("totalAmount").asLong());
        } else {
            holds.forEach(hold -> assertThat(hold.get("state").asText()).as("hold of rejected %s", orderId)
                                                                       .isIn("RELEASED", "REJECTED"));
            charges.forEach(charge -> assertThat(charge.get("state").asText()).as("payment of rejected %s", orderId)
                                                                             .isIn("DECLINED", "REFUNDED"));
        }
    }

    /**
     * Invariant 3 for the returns of an order: each has ended, and the participants agree with its outcome. A completed
     * return's units are back on sale and its amount refunded; a rejected one's units are with the order again and
     * nothing was refunded. No order got back more than it paid.
     */
    private void assertReturnsAgreeWithParticipants(JsonNode order, JsonNode returnsOfOrder) {
        String orderId = order.get("orderId").asText();
        if (returnsOfOrder.isEmpty()) {
            return;
        }
        JsonNode stockReturns = Api.get(inventory, "/stock-returns?orderId=" + orderId).body();
        JsonNode refunds = Api.get(payments, "/return-refunds?orderId=" + orderId).body();
        long refundedInAll = 0;
        for (JsonNode returned : returnsOfOrder) {
            String returnId = returned.get("returnId").asText();
            assertThat(isTerminalReturn(returned)).as("return %s of %s has ended: %s", returnId, orderId, returned)
                                                  .isTrue();
            List<JsonNode> stock = new ArrayList<>();
            stockReturns.forEach(r -> {
                if (r.get("returnId").asText().equals(returnId)) {
                    stock.add(r);
                }
            });
            List<JsonNode> refund = new ArrayList<>();
            refunds.forEach(r -> {
                if (r.get("returnId").asText().equals(returnId)) {
                    refund.add(r);
                }
            });
            if (returned.get("status").asText().equals("COMPLETED")) {
                Map<String, Integer> restocked = new HashMap<>();
                stock.forEach(r -> {
                    assertThat(r.get("state").asText()).as("stock of completed return %s", returnId)
                                                       .isEqualTo("RESTOCKED");
                    restocked.put(r.get("productId").asText(), r.get("quantity").asInt());
                });
                Map<String, Integer> asked = new HashMap<>();
                returned.get("lines").forEach(line -> asked.put(line.get("productId").asText(),
                                                                line.get("quantity").asInt()));
                assertThat(restocked).as("restocked lines of %s", returnId).isEqualTo(asked);
                assertThat(refund).as("refund of completed return %s", returnId).hasSize(1);
                assertThat(refund.get(0).get("state").asText()).isEqualTo("REFUNDED");
                assertThat(refund.get(0).get("amount").asLong()).isEqualTo(returned.get("amount").asLong());
                refundedInAll += refund.get(0).get("amount").asLong();
            } else {
                stock.forEach(r -> assertThat(r.get("state").asText()).as("stock of rejected return %s", returnId)
                                                                      .isIn("CANCELLED", "REJECTED"));
                refund.forEach(r -> assertThat(r.get("state").asText()).as("refund of rejected return %s", returnId)
                                                                       .isEqualTo("REFUSED"));
            }
        }
        assertThat(refundedInAll).as("refunded to order %s", orderId)
                                 .isLessThanOrEqualTo(order.get("totalAmount").asLong());
    }
}
