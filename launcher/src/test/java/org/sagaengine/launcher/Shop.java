package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the end-to-end tests do as a shop would: stock a product, fund an account, place one-line orders. */
final class Shop {

    private final URI orders;
    private final URI inventory;
    private final URI payments;

    Shop(EmbeddedSystem system) {
        this.orders = system.uri(ORDER_SAGA);
        this.inventory = system.uri(INVENTORY);
        this.payments = system.uri(PAYMENT);
    }

    void product(String productId, int quantity) {
        assertThat(Api.post(inventory, "/products", Map.of("productId", productId, "name", productId,
                                                           "initialQuantity", quantity)).status())
                .as("registering %s", productId).isEqualTo(201);
    }

    void account(String accountId, long deposit) {
        assertThat(Api.post(payments, "/accounts", Map.of("accountId", accountId, "owner", accountId,
                                                          "currency", "EUR")).status())
                .as("opening %s", accountId).isEqualTo(201);
        assertThat(Api.post(payments, "/accounts/" + accountId + "/deposits", Map.of("amount", deposit)).status())
                .as("depositing into %s", accountId).isEqualTo(202);
    }

    /** Places a one-line order in EUR and returns its id. */
    String place(String accountId, String productId, int quantity, long unitPrice) {
        Api.Response response = Api.post(orders, "/orders", Map.of(
                "accountId", accountId, "currency", "EUR",
                "lines", List.of(Map.of("productId", productId, "quantity", quantity, "unitPrice", unitPrice))));
        assertThat(response.status()).as("placing an order").isEqualTo(202);
        return response.body().get("orderId").asText();
    }

    /** Waits until the order and its saga have ended, and returns the order's status. */
    String awaitEnd(String orderId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Invariants.isTerminal(
                Api.get(orders, "/orders/" + orderId).body()));
        return Api.get(orders, "/orders/" + orderId).body().get("status").asText();
    }

    /** Places an order of several lines in EUR, each given as product, quantity and unit price, and returns its id. */
    String place(String accountId, Object... productQuantityPrice) {
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (int i = 0; i < productQuantityPrice.length; i += 3) {
            lines.add(Map.of("productId", productQuantityPrice[i], "quantity", productQuantityPrice[i + 1],
                             "unitPrice", productQuantityPrice[i + 2]));
        }
        Api.Response response = Api.post(orders, "/orders", Map.of("accountId", accountId, "currency", "EUR",
                                                                   "lines", lines));
        assertThat(response.status()).as("placing an order").isEqualTo(202);
        return response.body().get("orderId").asText();
    }

    /** Asks to return products of an order, given as product and quantity, under an idempotency key. */
    Api.Response requestReturn(String orderId, String idempotencyKey, Object... productQuantity) {
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (int i = 0; i < productQuantity.length; i += 2) {
            lines.add(Map.of("productId", productQuantity[i], "quantity", productQuantity[i + 1]));
        }
        try {
            return Api.post(orders, "/orders/" + orderId + "/returns", Map.of("Idempotency-Key", idempotencyKey),
                            Api.JSON.writeValueAsString(Map.of("lines", lines)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the return and its saga have ended, and returns the return's view. */
    com.fasterxml.jackson.databind.JsonNode awaitReturnEnd(String orderId, String returnId) {
        String path = "/orders/" + orderId + "/returns/" + returnId;
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Api.Response returned = Api.get(orders, path);
            return returned.status() == 200 && Invariants.isTerminalReturn(returned.body());
        });
        return Api.get(orders, path).body();
    }
}
