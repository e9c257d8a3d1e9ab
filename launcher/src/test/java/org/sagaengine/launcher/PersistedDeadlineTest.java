package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A step deadline outlives the process that scheduled it. The order's reservation cannot be answered (inventory is
 * down), order-saga is killed before the deadline and restarted after it: the deadline still fires from the orders
 * database, and the order is compensated and rejected with reason {@code timeout}.
 */
@Order(2)
@ExtendWith(TestData.class)
class PersistedDeadlineTest {

    static final Duration STEP_TIMEOUT = Duration.ofSeconds(6);
    static EmbeddedSystem system;

    @BeforeAll
    static void startSystemWithShortDeadlines() throws Exception {
        SystemSettings settings = RunningSystem.testSettings("deadlines", List.of(
                "--sagaengine.saga.step-timeout=" + STEP_TIMEOUT.toSeconds() + "s",
                "--sagaengine.saga.retry-interval=2s",
                "--sagaengine.commands.retry.max-retries=2"));
        system = new EmbeddedSystem(settings, line -> System.out.println("[deadline system] " + line));
        system.start();
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aStepDeadlineFiresAfterOrderSagaRestarts() throws Exception {
        URI inventory = system.uri(INVENTORY);
        URI payments = system.uri(PAYMENT);
        assertThat(Api.post(inventory, "/products", Map.of("productId", "kettle", "name", "Kettle",
                                                           "initialQuantity", 3)).status()).isEqualTo(201);
        assertThat(Api.post(payments, "/accounts", Map.of("accountId", "bob", "owner", "Bob", "currency", "EUR"))
                      .status()).isEqualTo(201);
        assertThat(Api.post(payments, "/accounts/bob/deposits", Map.of("amount", 100_000)).status()).isEqualTo(202);

        DeadlineAcrossRestart.orderRejectedForTimeout(system, STEP_TIMEOUT, "bob", "kettle");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode kettle = Api.get(inventory, "/products/kettle").body();
            assertThat(kettle.path("availableQuantity").asInt()).isEqualTo(3);
            assertThat(Api.get(payments, "/accounts/bob").body().path("balance").asLong()).isEqualTo(100_000);
        });
    }
}
