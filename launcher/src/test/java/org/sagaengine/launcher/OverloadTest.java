package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A burst of orders far beyond what order-saga works on at once (the end-to-end system admits
 * {@link RunningSystem#MAX_CONCURRENT_REQUESTS} requests at a time) is answered quickly: accepted with 202, or refused
 * with 503, a problem body and {@code Retry-After}. A refused order leaves nothing behind; every accepted order ends.
 */
@ExtendWith(RunningSystem.class)
class OverloadTest {

    static final int BURST = 400;

    final URI orders = RunningSystem.system().uri(ORDER_SAGA);
    final String run = "o" + Long.toString(System.nanoTime(), 36);

    @Test
    void aBurstBeyondCapacityIsAcceptedOrRefusedCleanlyAndNothingIsHalfWritten() throws Exception {
        String product = run + "-tea";
        String account = run + "-dave";
        Shop shop = new Shop(RunningSystem.system());
        shop.product(product, BURST);
        shop.account(account, 1_000_000);
        String body = Api.JSON.writeValueAsString(Map.of(
                "accountId", account, "currency", "EUR",
                "lines", List.of(Map.of("productId", product, "quantity", 1, "unitPrice", 100))));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Instant started = Instant.now();
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(http.sendAsync(HttpRequest.newBuilder(orders.resolve("/orders"))
                                                .timeout(Duration.ofSeconds(30))
                                                .header("Content-Type", "application/json")
                                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                     HttpResponse.BodyHandlers.ofString()));
        }
        List<String> accepted = new ArrayList<>();
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> request : burst) {
            HttpResponse<String> response = request.join();
            assertThat(response.statusCode()).isIn(202, 503);
            if (response.statusCode() == 202) {
                accepted.add(Api.JSON.readTree(response.body()).get("orderId").asText());
            } else {
                refused++;
                assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        }
        Duration answered = Duration.between(started, Instant.now());
        System.out.printf("[overload] %d requests at once: %d accepted, %d refused with 503, all answered in %d ms%n",
                          BURST, accepted.size(), refused, answered.toMillis());
        assertThat(refused).as("requests refused").isPositive();
        assertThat(accepted).as("requests accepted").isNotEmpty();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                ordersOf(account).stream().filter(Invariants::isTerminal).count() == accepted.size());
        assertThat(ordersOf(account)).as("orders that exist: exactly the accepted ones")
                                     .extracting(order -> order.get("orderId").asText())
                                     .containsExactlyInAnyOrderElementsOf(accepted);
    }

    private List<JsonNode> ordersOf(String account) {
        List<JsonNode> found = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            JsonNode page = Api.get(orders, "/orders?limit=1000&offset=" + offset).body();
            page.forEach(order -> {
                if (order.get("accountId").asText().equals(account)) {
                    found.add(order);
                }
            });
            if (page.size() < 1000) {
                return found;
            }
        }
    }
}
