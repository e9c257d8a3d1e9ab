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

    /**
     * While the order saga's processor is held behind (a row lock on its tokens stops it from committing what it
     * reads), new orders are refused once it is more than {@code sagaengine.admission.max-lag} behind: 503, a problem
     * body, Retry-After, and no order. The orders accepted before are not lost: once the processor moves again, every
     * one of them ends, and new orders are admitted again.
     */
    @Test
    void newOrdersAreRefusedWhileTheSagasAreBehindAndAdmittedOnceTheyCatchUp() throws Exception {
        String product = run + "-lag-tea";
        String account = run + "-lag-erin";
        Shop shop = new Shop(RunningSystem.system());
        shop.product(product, 100);
        shop.account(account, 1_000_000);
        Map<String, Object> order = Map.of("accountId", account, "currency", "EUR",
                                           "lines", List.of(Map.of("productId", product, "quantity", 1,
                                                                   "unitPrice", 100)));
        List<String> accepted = new ArrayList<>();
        Api.Response refused;
        try (java.sql.Connection held = RunningSystem.system().connect("orders");
             java.sql.Statement sql = held.createStatement()) {
            held.setAutoCommit(false);
            sql.execute("select * from tokenentry where processorname = 'OrderSagaProcessor' for update");
            refused = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Api.Response response = Api.post(orders, "/orders", order);
                if (response.status() == 202) {
                    accepted.add(response.body().get("orderId").asText());
                }
                return response;
            }, response -> response.status() == 503);
            held.commit();
        }
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().get("detail").asText()).contains("order sagas are").contains("behind");
        assertThat(refused.retryAfter()).matches("[1-9][0-9]*");
        assertThat(accepted).as("orders accepted while the processor fell behind").isNotEmpty();
        assertThat(ordersOf(account)).as("the refused order left nothing")
                                     .extracting(o -> o.get("orderId").asText())
                                     .containsExactlyInAnyOrderElementsOf(accepted);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
               .until(() -> Api.post(orders, "/orders", order), response -> {
                   if (response.status() == 202) {
                       accepted.add(response.body().get("orderId").asText());
                   }
                   return response.status() == 202;
               });
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                ordersOf(account).stream().filter(Invariants::isTerminal).count() == accepted.size());
        assertThat(ordersOf(account)).allSatisfy(o -> assertThat(o.get("status").asText()).isEqualTo("CONFIRMED"));
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
