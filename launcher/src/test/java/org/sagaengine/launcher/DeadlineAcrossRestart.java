package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A step deadline that must fire from the database after order-saga was down when it fell due: inventory is killed so
 * that an order waits in {@code RESERVING_STOCK}, order-saga is killed before the deadline and started after it, and
 * the order must end rejected with reason {@code timeout}. Shared by both topologies' tests.
 */
final class DeadlineAcrossRestart {

    private DeadlineAcrossRestart() {
    }

    /** Runs it for a two-unit order of the product by the account, and returns the order's id once it has ended. */
    static String orderRejectedForTimeout(EmbeddedSystem system, Duration stepTimeout, String accountId,
                                          String productId) throws Exception {
        URI orders = system.uri(ORDER_SAGA);
        system.kill(INVENTORY);
        String orderId = Api.post(orders, "/orders", Map.of(
                "accountId", accountId, "currency", "EUR",
                "lines", List.of(Map.of("productId", productId, "quantity", 2, "unitPrice", 3_000))))
                            .body().get("orderId").asText();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Api.get(orders, "/orders/" + orderId).body().path("sagaStep").asText()).isEqualTo("RESERVING_STOCK"));

        system.kill(ORDER_SAGA);
        Thread.sleep(stepTimeout.plusSeconds(2).toMillis());
        system.restart(ORDER_SAGA);
        system.restart(INVENTORY);
        system.awaitHealthy(List.of(ORDER_SAGA, INVENTORY));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode order = Api.get(orders, "/orders/" + orderId).body();
            assertThat(order.path("status").asText()).isEqualTo("REJECTED");
            assertThat(order.path("reason").asText()).isEqualTo("timeout");
        });
        return orderId;
    }
}
