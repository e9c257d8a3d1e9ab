package org.sagaengine.platform;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.axonframework.commandhandling.distributed.ConsistentHash;
import org.axonframework.commandhandling.distributed.Member;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Up when every peer in the discovery list is in the command routing table, that is when this service can send each
 * of them its commands. A peer that is down, or not yet asked what it handles, makes it down.
 */
public class CommandRoutingHealthIndicator extends AbstractHealthIndicator {

    private final DiscoveryClient discoveryClient;
    private final AtomicReference<ConsistentHash> routing = new AtomicReference<>(new ConsistentHash());

    CommandRoutingHealthIndicator(DiscoveryClient discoveryClient) {
        super("Command routing check failed");
        this.discoveryClient = discoveryClient;
    }

    void routingChanged(ConsistentHash newRouting) {
        routing.set(newRouting);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Set<Member> members = routing.get().getMembers();
        List<URI> known = members.stream()
                                 .map(member -> member.getConnectionEndpoint(URI.class).orElse(null))
                                 .filter(Objects::nonNull)
                                 .toList();
        List<String> unreachable = discoveryClient.getServices().stream()
                                                  .flatMap(service -> discoveryClient.getInstances(service).stream())
                                                  .filter(instance -> !known.contains(instance.getUri()))
                                                  .map(ServiceInstance::getServiceId)
                                                  .toList();
        builder.withDetail("members", members.stream().map(Member::name).sorted().toList());
        if (unreachable.isEmpty()) {
            builder.up();
        } else {
            builder.down().withDetail("notRouted", unreachable);
        }
    }
}
