package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The launcher as an operator meets it: it refuses what it does not understand, and ports it does not own. */
@Order(4)
@ExtendWith(TestData.class)
class LauncherTest {

    @Test
    void readsTheOptionsItKnows() {
        Map<String, String> options = Launcher.options(new String[] {"--data-dir=/srv/saga", "--order-port=9081",
                "--bind-address=0.0.0.0"});
        assertThat(options).containsEntry("data-dir", "/srv/saga").containsEntry("bind-address", "0.0.0.0");
        assertThat(Launcher.port(options, "order-port", 8081)).isEqualTo(9081);
        assertThat(Launcher.port(options, "payment-port", 8083)).isEqualTo(8083);
    }

    @Test
    void refusesAnUnknownIncompleteOrRepeatedOption() {
        for (String[] args : List.of(new String[] {"--bogus=1"}, new String[] {"--data-dir"},
                                     new String[] {"--data-dir="}, new String[] {"data-dir=x"},
                                     new String[] {"--order-port=1", "--order-port=2"})) {
            assertThatThrownBy(() -> Launcher.options(args)).as(String.join(" ", args))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesAPortThatIsNoPort() {
        for (String port : List.of("0", "65536", "http", "-1")) {
            assertThatThrownBy(() -> Launcher.port(Map.of("order-port", port), "order-port", 8081))
                    .hasMessageContaining("--order-port");
        }
    }

    /** A second system on another data directory must not talk to the first one's processes. */
    @Test
    void refusesToStartWhenAPortIsTakenAndSaysWhichStartingNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SystemSettings free = RunningSystem.testSettings("taken", List.of());
            List<SystemSettings> clashes = new ArrayList<>();
            clashes.add(withPorts(free, taken.getLocalPort(), free.orderPort()));
            clashes.add(withPorts(free, free.postgresPort(), taken.getLocalPort()));
            for (SystemSettings settings : clashes) {
                List<String> said = new ArrayList<>();
                try (EmbeddedSystem system = new EmbeddedSystem(settings, said::add)) {
                    assertThatThrownBy(system::start).hasMessage(
                            "Port " + taken.getLocalPort() + " is already in use by another process");
                }
                assertThat(said).noneMatch(line -> line.startsWith("Starting ") || line.startsWith("Created"));
            }
            assertThat(Files.exists(free.dataDirectory().resolve("postgres/PG_VERSION"))).isFalse();
        }
    }

    private static SystemSettings withPorts(SystemSettings settings, int postgresPort, int orderPort) {
        return new SystemSettings(settings.dataDirectory(), settings.servicesDirectory(), postgresPort, null, orderPort,
                                  settings.inventoryPort(), settings.paymentPort(), settings.bindAddress(),
                                  settings.durableDatabase(), settings.supervise(), settings.serviceJvmOptions(),
                                  settings.serviceArguments(), settings.startTimeout(), null);
    }
}
