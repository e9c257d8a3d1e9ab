package org.sagaengine.platform;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.axonframework.commandhandling.distributed.ConsistentHash;
import org.axonframework.commandhandling.distributed.Member;
import org.axonframework.commandhandling.distributed.commandfilter.DenyAll;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Up when every peer in the discovery list is in the command routing table, that is when this service can send each
 * of them its commands. A peer that is down, or not yet asked what it handles, makes it down.
 * <p>
 * It also tells the routing heartbeat when the table has {@linkplain #settled() settled}, so that the peers need not
 * be asked again and again what they handle while nothing changes.
 */
public class CommandRoutingHealthIndicator extends AbstractHealthIndicator {

    private final DiscoveryClient discoveryClient;
    private final AtomicReference<ConsistentHash> routing = new AtomicReference<>(new ConsistentHash());
    private volatile boolean unchangedByLastUpdate;

    CommandRoutingHealthIndicator(DiscoveryClient discoveryClient) {
        super("Command routing check failed");
        this.discoveryClient = discoveryClient;
    }

    void routingChanged(ConsistentHash newRouting) {
        unchangedByLastUpdate = newRouting.equals(routing.getAndSet(newRouting));
    }

    /**
     * Whether refreshing the table often would find nothing new: every peer in the discovery list is in it, each
     * accepting some command (a peer asked while it was still starting may have answered that it accepts none), and
     * the last refresh left the table exactly as it was.
     */
    boolean settled() {
        ConsistentHash table = routing.get();
        List<URI> accepting = table.getMembers().stream()
                                   .filter(member -> !(member instanceof ConsistentHash.ConsistentHashMember routed
                                           && routed.getCommandFilter() instanceof DenyAll))
                                   .map(CommandRoutingHealthIndicator::endpoint)
                                   .filter(Objects::nonNull)
                                   .toList();
        return unchangedByLastUpdate && notRouted(accepting).isEmpty();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Set<Member> members = routing.get().getMembers();
        List<URI> known = members.stream()
                                 .map(CommandRoutingHealthIndicator::endpoint)
                                 .filter(Objects::nonNull)
                                 .toList();
        List<String> unreachable = notRouted(known);
        builder.withDetail("members", members.stream().map(Member::name).sorted().toList());
        if (unreachable.isEmpty()) {
            builder.up();
        } else {
            builder.down().withDetail("notRouted", unreachable);
        }
    }

    private List<String> notRouted(List<URI> routed) {
        return discoveryClient.getServices().stream()
                              .flatMap(service -> discoveryClient.getInstances(service).stream())
                              .filter(instance -> !routed.contains(instance.getUri()))
                              .map(ServiceInstance::getServiceId)
                              .toList();
    }

    private static URI endpoint(Member member) {
        return member.getConnectionEndpoint(URI.class).orElse(null);
    }
}
