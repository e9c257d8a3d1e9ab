package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.axonframework.commandhandling.distributed.CommandMessageFilter;
import org.axonframework.commandhandling.distributed.ConsistentHash;
import org.axonframework.commandhandling.distributed.SimpleMember;
import org.axonframework.commandhandling.distributed.commandfilter.CommandNameFilter;
import org.axonframework.commandhandling.distributed.commandfilter.DenyAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.platform.DistributedCommandConfiguration.LocalRegistration;
import org.sagaengine.platform.DistributedCommandConfiguration.NodeProperties;
import org.sagaengine.platform.DistributedCommandConfiguration.RoutingAnnouncer;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClient;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * The routing heartbeat asks the peers again every {@code heartbeat} while the table lacks one of them or has just
 * changed, and only every {@code heartbeat-when-settled} once every peer is in it and a refresh changed nothing.
 */
class RoutingHeartbeatTest {

    private static final long SECOND = 1_000_000_000L;
    private static final URI ORDERS = URI.create("http://localhost:8081");
    private static final URI STOCK = URI.create("http://localhost:8082");

    private final List<Object> published = new ArrayList<>();
    private CommandRoutingHealthIndicator table;
    private RoutingAnnouncer announcer;
    private long now;

    @BeforeEach
    void aNodeThatHasAnnouncedItself() {
        SimpleDiscoveryProperties peers = new SimpleDiscoveryProperties();
        peers.setInstances(Map.of("order-saga", List.of(instance("order-saga", ORDERS)),
                                  "inventory-service", List.of(instance("inventory-service", STOCK))));
        table = new CommandRoutingHealthIndicator(new SimpleDiscoveryClient(peers));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        announcer = new RoutingAnnouncer(published::add, registration(), scheduler, Duration.ofSeconds(2),
                                         Duration.ofSeconds(30), table, () -> now);
        announcer.announce();
        // The test looks at the table itself, at the times it chooses; the scheduler's own looks would race with it.
        scheduler.shutdownNow();
        published.clear();
    }

    @Test
    void whileAPeerIsMissingEveryLookIsABeat() {
        ConsistentHash onlyOrders = new ConsistentHash().with(member("order-saga", ORDERS), 100, accepts("PlaceOrder"));
        for (int look = 1; look <= 5; look++) {
            table.routingChanged(onlyOrders);
            lookAfter(2);
            assertThat(beats()).as("beats after %d looks with inventory missing", look).isEqualTo(look);
        }
    }

    @Test
    void onceEveryPeerIsInTheTableAndARefreshChangesNothingTheBeatsSlowDown() {
        ConsistentHash full = fullTable(accepts("ReserveStock"));
        table.routingChanged(full);
        lookAfter(2);
        assertThat(beats()).as("the table has just changed: refresh it").isEqualTo(1);

        table.routingChanged(fullTable(accepts("ReserveStock")));
        assertThat(table.settled()).as("the refresh built an equal table").isTrue();
        for (int look = 0; look < 14; look++) {
            lookAfter(2);
        }
        assertThat(beats()).as("no beat within 30 s of the last").isEqualTo(1);
        lookAfter(2);
        assertThat(beats()).as("the beat 30 s after the last").isEqualTo(2);
    }

    @Test
    void aPeerThatDropsOutIsLookedForAgainAtTheNextLook() {
        table.routingChanged(fullTable(accepts("ReserveStock")));
        table.routingChanged(fullTable(accepts("ReserveStock")));
        lookAfter(2);
        assertThat(beats()).isZero();

        // The slow beat found inventory down: the table lacks it, and the very next look beats again.
        table.routingChanged(new ConsistentHash().with(member("order-saga", ORDERS), 100, accepts("PlaceOrder")));
        lookAfter(2);
        assertThat(beats()).isEqualTo(1);
        lookAfter(2);
        assertThat(beats()).isEqualTo(2);
    }

    @Test
    void aPeerThatAnsweredItAcceptsNoCommandKeepsTheBeatsQuick() {
        // Asked while it was still starting, before its handlers subscribed.
        table.routingChanged(fullTable(DenyAll.INSTANCE));
        table.routingChanged(fullTable(DenyAll.INSTANCE));
        assertThat(table.settled()).isFalse();
        lookAfter(2);
        lookAfter(2);
        assertThat(beats()).isEqualTo(2);
    }

    @Test
    void aRefreshThatChangedTheTableKeepsTheBeatsQuick() {
        table.routingChanged(fullTable(accepts("ReserveStock")));
        table.routingChanged(fullTable(accepts("ReserveStock")));
        assertThat(table.settled()).isTrue();
        table.routingChanged(fullTable(accepts("ReserveStock", "ReleaseStock")));
        assertThat(table.settled()).as("inventory handles a command more than before").isFalse();
    }

    @Test
    void theSettledHeartbeatIsNeverShorterThanTheQuickOne() {
        assertThatThrownBy(() -> new NodeProperties(ORDERS, Duration.ofSeconds(2), Duration.ofSeconds(1), null, null,
                                                    null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeat-when-settled");
        NodeProperties defaults = new NodeProperties(ORDERS, null, null, null, null, null, null);
        assertThat(defaults.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.heartbeatWhenSettled()).isEqualTo(Duration.ofSeconds(30));
    }

    private ConsistentHash fullTable(CommandMessageFilter inventoryAccepts) {
        return new ConsistentHash().with(member("order-saga", ORDERS), 100, accepts("PlaceOrder"))
                                   .with(member("inventory-service", STOCK), 100, inventoryAccepts);
    }

    private void lookAfter(long seconds) {
        now += seconds * SECOND;
        announcer.tick();
    }

    private long beats() {
        return published.stream().filter(HeartbeatEvent.class::isInstance).count();
    }

    private static CommandMessageFilter accepts(String... commands) {
        return new CommandNameFilter(Set.of(commands));
    }

    private static SimpleMember<URI> member(String service, URI uri) {
        return new SimpleMember<>(service.toUpperCase() + "[" + uri + "]", uri, false, suspected -> { });
    }

    private static DefaultServiceInstance instance(String service, URI uri) {
        DefaultServiceInstance instance = new DefaultServiceInstance(service + "@" + uri, service, uri.getHost(),
                                                                     uri.getPort(), false);
        instance.setUri(uri);
        return instance;
    }

    private static Registration registration() {
        return new LocalRegistration(instance("order-saga", ORDERS));
    }
}
