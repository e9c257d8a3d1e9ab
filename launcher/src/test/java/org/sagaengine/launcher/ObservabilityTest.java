package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health reflects the databases and the peers; the saga metrics count what the sagas did, for Prometheus; the API's
 * requests are timed, the command bus's traffic between the services is not.
 */
@ExtendWith(RunningSystem.class)
class ObservabilityTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);

    @Test
    void readinessCoversTheDatabasesAndThePeers() {
        for (URI service : List.of(orders, system.uri(INVENTORY), system.uri(PAYMENT))) {
            JsonNode readiness = Api.admin("GET", service, "/actuator/health/readiness", system.adminPassword()).body();
            assertThat(readiness.get("status").asText()).isEqualTo("UP");
            for (String component : List.of("db", "eventStore", "commandRouting")) {
                assertThat(readiness.path("components").path(component).path("status").asText())
                        .as("%s of %s", component, service).isEqualTo("UP");
            }
            assertThat(Api.get(service, "/actuator/health/liveness").status()).isEqualTo(200);
        }
    }

    @Test
    void sagaMetricsCountStartedAndFinishedSagas() throws Exception {
        Shop shop = new Shop(system);
        String run = "m" + Long.toString(System.nanoTime(), 36);
        String product = run + "-mug";
        String account = run + "-gus";
        shop.product(product, 1);
        shop.account(account, 1_000);
        double started = metric("sagaengine_sagas_started_total");
        double confirmed = metric("sagaengine_sagas_confirmed_total");
        double rejected = metric("sagaengine_sagas_rejected_total");

        shop.place(account, product, 1, 100);
        shop.place(account, product, 1, 100);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("sagaengine_sagas_started_total")).isEqualTo(started + 2);
            assertThat(metric("sagaengine_sagas_confirmed_total")).isEqualTo(confirmed + 1);
            assertThat(metric("sagaengine_sagas_rejected_total")).as("the second is out of stock")
                                                                 .isEqualTo(rejected + 1);
        });
        String scrape = scrape(orders);
        assertThat(scrape).contains("sagaengine_saga_step_seconds_bucket{step=\"RESERVING_STOCK\",type=\"order\"")
                          .contains("sagaengine_sagas_started_total{type=\"order\"}")
                          .contains("eventProcessor_latency{processorName=\"OrderSagaProcessor\"}")
                          .as("Axon's figures per processor and payload type, and per command")
                          .contains("eventProcessor_capacity{payloadType=\"OrderPlaced\","
                                    + "processorName=\"OrderSagaProcessor\"}")
                          .contains("eventProcessor_successCounter_total{payloadType=\"OrderPlaced\","
                                    + "processorName=\"OrderSagaProcessor\"}")
                          .contains("commandBus_successTimer_seconds{payloadType=\"PlaceOrder\",quantile=\"0.99\"}");
    }

    @Test
    void theApiIsTimedButNotTheCommandsBetweenTheServices() throws Exception {
        Shop shop = new Shop(system);
        String run = "h" + Long.toString(System.nanoTime(), 36);
        shop.product(run + "-cup", 5);
        shop.account(run + "-ida", 1_000);
        String order = shop.place(run + "-ida", run + "-cup", 1, 100);
        assertThat(shop.awaitEnd(order)).as("its stock was reserved and committed by commands to inventory")
                                        .isEqualTo("CONFIRMED");
        String scrape = scrape(system.uri(INVENTORY));
        assertThat(scrape).as("the API's requests are timed")
                          .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/products\"")
                          .as("the command bus's requests from order-saga are not")
                          .doesNotContain("uri=\"/spring-command-bus-connector/command\"")
                          .as("nor are Spring Security's filters, one by one")
                          .doesNotContain("spring_security_filterchains");
    }

    private double metric(String name) throws IOException, InterruptedException {
        Matcher value = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$").matcher(scrape(orders));
        double sum = 0;
        while (value.find()) {
            sum += Double.parseDouble(value.group(1));
        }
        return sum;
    }

    private String scrape(URI service) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString(
                ("admin:" + system.adminPassword()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(service.resolve("/actuator/prometheus"))
                           .header("Authorization", "Basic " + credentials).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
