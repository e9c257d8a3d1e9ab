package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A step deadline outlives the process that scheduled it. The order's reservation cannot be answered (inventory is
 * down), order-saga is killed before the deadline and restarted after it: the deadline still fires from the orders
 * database, and the order is compensated and rejected with reason {@code timeout}. And a deadline that falls due while
 * the saga's processor is behind waits in the scheduler until it has caught up.
 */
@Order(2)
@ExtendWith(TestData.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
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

    /**
     * A step deadline that falls due while the order saga's processor is held behind (a row lock on its tokens, and a
     * deposit stored after it) stays in the scheduler under its own id, and the order stays where it was. Once the
     * processor moves again, the deadline acts, and the order compensates: nothing else could, with inventory down.
     */
    @Test
    @Order(2)
    void aStepDeadlineWaitsInTheSchedulerWhileTheSagasProcessorIsBehind() throws Exception {
        URI orders = system.uri(ORDER_SAGA);
        URI payments = system.uri(PAYMENT);
        assertThat(Api.post(system.uri(INVENTORY), "/products", Map.of("productId", "toaster", "name", "Toaster",
                                                                       "initialQuantity", 3)).status()).isEqualTo(201);
        assertThat(Api.post(payments, "/accounts", Map.of("accountId", "cleo", "owner", "Cleo", "currency", "EUR"))
                      .status()).isEqualTo(201);
        try (Connection database = system.connect("orders")) {
            Set<String> before = scheduledDeadlines(database).keySet();
            // The last test of the class: inventory stays down until the system is closed after it.
            system.kill(INVENTORY);
            String orderId = Api.post(orders, "/orders", Map.of(
                    "accountId", "cleo", "currency", "EUR",
                    "lines", List.of(Map.of("productId", "toaster", "quantity", 1, "unitPrice", 2_000))))
                                .body().get("orderId").asText();
            await().atMost(Duration.ofSeconds(5)).until(() -> scheduledDeadlines(database).size() > before.size());
            Map<String, Instant> scheduled = scheduledDeadlines(database);
            scheduled.keySet().removeAll(before);
            assertThat(scheduled).as("the order's step deadline").hasSize(1);
            String deadline = scheduled.keySet().iterator().next();
            Instant due = scheduled.get(deadline);

            try (Connection held = system.connect("orders"); Statement sql = held.createStatement()) {
                held.setAutoCommit(false);
                sql.execute("select * from tokenentry where processorname = 'OrderSagaProcessor' for update");
                assertThat(Api.post(payments, "/accounts/cleo/deposits", Map.of("amount", 5_000)).status())
                        .isEqualTo(202);
                await().atMost(STEP_TIMEOUT.plusSeconds(10)).until(() -> Instant.now().isAfter(due.plusSeconds(2)));
                assertThat(scheduledDeadlines(database)).as("the deadline, held under its id")
                        .hasEntrySatisfying(deadline, at -> assertThat(at).isAfter(due));
                assertThat(Api.get(orders, "/orders/" + orderId).body().path("sagaStep").asText())
                        .isEqualTo("RESERVING_STOCK");
                held.commit();
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                   .untilAsserted(() -> assertThat(Api.get(orders, "/orders/" + orderId).body().path("sagaStep")
                                                      .asText()).isEqualTo("COMPENSATING"));
        }
    }

    /** The deadlines db-scheduler holds for order-saga, by id, and when each is due. */
    private static Map<String, Instant> scheduledDeadlines(Connection database) throws SQLException {
        Map<String, Instant> due = new HashMap<>();
        try (Statement sql = database.createStatement();
             ResultSet rows = sql.executeQuery("select task_instance, execution_time from scheduled_tasks")) {
            while (rows.next()) {
                due.put(rows.getString(1), rows.getTimestamp(2).toInstant());
            }
        }
        return due;
    }
}
