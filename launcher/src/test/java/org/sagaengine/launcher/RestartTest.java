package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The launcher's promise: stop everything, start it again on the same data directory, and carry on. Here the payment
 * service's database has a PostgreSQL server of its own, as the trade-off lab runs it: it stops alone, and the other
 * services do not notice.
 */
@Order(3)
@ExtendWith(TestData.class)
class RestartTest {

    @Test
    void theWholeSystemCarriesOnAfterARestart() throws Exception {
        SystemSettings settings = RunningSystem.testSettings("restart", List.of());
        int paymentsPort = RunningSystem.freePort();
        String firstOrder;
        try (EmbeddedSystem system = start(settings, paymentsPort)) {
            assertThat(system.jdbcUrl("payments")).contains(":" + paymentsPort + "/");
            assertThat(system.jdbcUrl("orders")).doesNotContain(":" + paymentsPort + "/");
            Api.post(system.uri(INVENTORY), "/products", Map.of("productId", "mug", "name", "Mug", "initialQuantity", 4));
            Api.post(system.uri(PAYMENT), "/accounts", Map.of("accountId", "carol", "owner", "Carol", "currency", "EUR"));
            Api.post(system.uri(PAYMENT), "/accounts/carol/deposits", Map.of("amount", 5_000));
            firstOrder = placeMugOrder(system.uri(ORDER_SAGA));
            awaitStatus(system.uri(ORDER_SAGA), firstOrder, "CONFIRMED");
        }

        try (EmbeddedSystem system = start(settings, paymentsPort)) {
            assertThat(Api.get(system.uri(ORDER_SAGA), "/orders/" + firstOrder).body().path("status").asText())
                    .isEqualTo("CONFIRMED");

            system.stopDatabaseOf(PAYMENT);
            assertThatThrownBy(() -> system.connect("payments").close()).as("the payments database is down")
                                                                        .isInstanceOf(SQLException.class);
            system.connect("orders").close();
            assertThat(Api.post(system.uri(INVENTORY), "/products", Map.of(
                    "productId", "cup", "name", "Cup", "initialQuantity", 1)).status())
                    .as("inventory works while the payments database is down").isEqualTo(201);
            system.startDatabaseOf(PAYMENT);
            system.connect("payments").close();
            String secondOrder = placeMugOrder(system.uri(ORDER_SAGA));
            awaitStatus(system.uri(ORDER_SAGA), secondOrder, "CONFIRMED");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(Api.get(system.uri(INVENTORY), "/products/mug").body().path("availableQuantity").asInt())
                        .isEqualTo(2);
                assertThat(Api.get(system.uri(PAYMENT), "/accounts/carol").body().path("balance").asLong())
                        .isEqualTo(5_000 - 2 * 1_500);
            });
        }
    }

    private static EmbeddedSystem start(SystemSettings settings, int paymentsPort) throws Exception {
        return new EmbeddedSystem(settings, line -> System.out.println("[restart system] " + line))
                .withOwnDatabaseServer(PAYMENT, paymentsPort)
                .start();
    }

    private static String placeMugOrder(URI orders) {
        return Api.post(orders, "/orders", Map.of("accountId", "carol", "currency", "EUR", "lines",
                                                  List.of(Map.of("productId", "mug", "quantity", 1, "unitPrice", 1_500))))
                  .body().get("orderId").asText();
    }

    private static void awaitStatus(URI orders, String orderId, String status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(Api.get(orders, "/orders/" + orderId).body().path("status").asText()).isEqualTo(status));
    }
}
