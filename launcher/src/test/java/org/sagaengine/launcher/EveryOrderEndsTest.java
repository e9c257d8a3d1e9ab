package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every saga ends, whatever ids its order names: a product or account that does not exist, the id of another kind of
 * thing (ids share one namespace), or an id no one would choose. Each such order ends rejected within its deadlines,
 * with a reason a person can act on and no exception text, holding no stock and no money, and no saga is left stuck.
 */
@ExtendWith(RunningSystem.class)
class EveryOrderEndsTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final Shop shop = new Shop(system);
    final String run = "e" + Long.toString(System.nanoTime(), 36);

    @Test
    void anOrderNamingWhatDoesNotExistOrIsOfAnotherKindEndsRejectedHoldingNothing() {
        String product = run + "-beans";
        String account = run + "-alice";
        shop.product(product, 10);
        shop.account(account, 100_000);
        String confirmed = shop.place(account, product, 1, 100);
        assertThat(shop.awaitEnd(confirmed)).isEqualTo("CONFIRMED");

        Map<String, Order> cases = new LinkedHashMap<>();
        cases.put("unknown product", new Order(account, List.of(run + "-nope"), "unknown product: " + run + "-nope"));
        cases.put("unknown product on the second line", new Order(account, List.of(product, run + "-gone"),
                                                                  "unknown product: " + run + "-gone"));
        cases.put("unknown account", new Order(run + "-nobody", List.of(product), "unknown account: " + run + "-nobody"));
        cases.put("an account's id as product", new Order(account, List.of(account), "unknown product: " + account));
        cases.put("an order's id as product", new Order(account, List.of(confirmed), "unknown product: " + confirmed));
        cases.put("a product's id as account", new Order(product, List.of(product), "unknown account: " + product));
        cases.put("quotes and unicode", new Order(account, List.of(run + "-\"'☕ü\u202e"), null));
        cases.put("a long id", new Order(account, List.of(run + "-" + "x".repeat(200)), null));

        Map<String, String> placed = new LinkedHashMap<>();
        cases.forEach((name, order) -> {
            Api.Response response = Api.post(orders, "/orders", order.json());
            assertThat(response.status()).as("placing an order with %s", name).isIn(202, 400);
            if (response.status() == 202) {
                placed.put(name, response.body().get("orderId").asText());
            } else {
                assertThat(response.contentType()).startsWith("application/problem+json");
            }
        });
        assertThat(placed).as("the orders whose ids are well formed are accepted")
                          .containsKeys("unknown product", "unknown account", "an account's id as product",
                                        "a product's id as account");

        placed.forEach((name, orderId) -> {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                   .untilAsserted(() -> assertThat(Invariants.isTerminal(Api.get(orders, "/orders/" + orderId).body()))
                           .as("the order with %s has ended", name).isTrue());
            JsonNode order = Api.get(orders, "/orders/" + orderId).body();
            assertThat(order.get("status").asText()).as(name).isEqualTo("REJECTED");
            String expected = cases.get(name).reason();
            if (expected != null) {
                assertThat(order.get("reason").asText()).as("reason for %s", name).isEqualTo(expected);
            }
            assertThat(order.toString()).as("what the order shows for %s", name)
                                        .doesNotContain("Exception", "org.axonframework", "java.lang");
            JsonNode saga = Api.get(orders, "/sagas/order/" + orderId).body();
            assertThat(saga.path("saga").path("state").asText()).as("saga of %s", name).isEqualTo("REJECTED");
            assertThat(saga.toString()).as("the timeline of %s", name).doesNotContain("Exception", "org.axonframework");
            assertNothingHeld(orderId, name);
        });
        JsonNode product_ = Api.get(system.uri(INVENTORY), "/products/" + product).body();
        assertThat(product_.get("reservedQuantity").asInt()).as("reserved units of %s", product).isZero();
        assertThat(product_.get("availableQuantity").asInt()).isEqualTo(9);
        assertThat(Api.get(system.uri(PAYMENT), "/accounts/" + account).body().get("balance").asLong())
                .isEqualTo(100_000 - 100);
        assertThat(Api.get(orders, "/sagas?state=STUCK&limit=500").body().findValuesAsText("key"))
                .as("none of these sagas is stuck").doesNotContainAnyElementsOf(placed.values());
        assertThat(Api.get(orders, "/sagas?type=order&state=REJECTED&limit=500").body().findValuesAsText("key"))
                .containsAll(placed.values());
        assertThat(Api.get(orders, "/sagas/types").body().path("order").path("REJECTED").asLong())
                .isGreaterThanOrEqualTo(placed.size());
        Api.Response unknownType = Api.get(orders, "/sagas?type=no-such-type");
        assertThat(unknownType.status()).isEqualTo(400);
        assertThat(unknownType.contentType()).startsWith("application/problem+json");
        assertThat(Api.get(orders, "/sagas/no-such-type/" + confirmed).status()).isEqualTo(404);
    }

    private void assertNothingHeld(String orderId, String name) {
        String query = "?orderId=" + URLEncoder.encode(orderId, StandardCharsets.UTF_8);
        for (JsonNode hold : Api.get(system.uri(INVENTORY), "/stock-holds" + query).body()) {
            assertThat(hold.get("quantity").asInt()).as("stock held for the order with %s", name).isZero();
        }
        for (JsonNode payment : Api.get(system.uri(PAYMENT), "/payments" + query).body()) {
            assertThat(payment.get("state").asText()).as("payment of the order with %s", name)
                                                   .isIn("DECLINED", "REFUNDED");
        }
    }

    /** An order in EUR, one unit of each product at 1.00; {@code reason}, when known, the rejection expected. */
    private record Order(String accountId, List<String> productIds, String reason) {
        Map<String, Object> json() {
            return Map.of("accountId", accountId, "currency", "EUR",
                          "lines", productIds.stream()
                                             .map(id -> Map.<String, Object>of("productId", id, "quantity", 1,
                                                                               "unitPrice", 100))
                                             .toList());
        }
    }
}
