package org.sagaengine.launcher;

import java.util.List;

import org.axonframework.test.server.AxonServerContainer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The distributed topology the conventional way: Axon Server and PostgreSQL in containers, the three services as
 * processes connected to them, and the mixed workload with invariants 1 to 4. Skipped where no Docker engine runs;
 * {@link AxonServerTopologyTest} runs the same checks against an Axon Server process where a jar is at hand.
 */
@Order(6)
@ExtendWith(TestData.class)
@Testcontainers(disabledWithoutDocker = true)
class AxonServerContainerTest {

    @Container
    static final AxonServerContainer AXON_SERVER = new AxonServerContainer("axoniq/axonserver:4.6.11-jdk-17")
            .withDevMode(true);

    @Container
    static final PostgreSQLContainer<?> POSTGRES = new PostgreSQLContainer<>("postgres:17");

    @Test
    void theMixedWorkloadEndsWithEveryInvariantHeld() throws Exception {
        SystemSettings local = RunningSystem.testSettings("containers", List.of());
        SystemSettings settings = new SystemSettings(
                local.dataDirectory(), local.servicesDirectory(), POSTGRES.getFirstMappedPort(),
                new SystemSettings.ExternalPostgres(POSTGRES.getHost(), POSTGRES.getFirstMappedPort(),
                                                    POSTGRES.getUsername(), POSTGRES.getPassword()),
                local.orderPort(), local.inventoryPort(), local.paymentPort(), local.bindAddress(), true,
                local.supervise(), local.serviceJvmOptions(), local.serviceArguments(), local.startTimeout(),
                AXON_SERVER.getAxonServerAddress());
        try (EmbeddedSystem system = new EmbeddedSystem(settings, line -> System.out.println("[containers] " + line))) {
            system.start();
            new MixedWorkload(system, "containers workload").run();
        }
    }
}
