package org.sagaengine.platform;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.distributed.CommandRouter;
import org.axonframework.commandhandling.distributed.RoutingStrategy;
import org.axonframework.extensions.springcloud.commandhandling.SpringCloudCommandRouter;
import org.axonframework.extensions.springcloud.commandhandling.mode.CapabilityDiscoveryMode;
import org.axonframework.extensions.springcloud.commandhandling.mode.MemberCapabilitiesController;
import org.axonframework.extensions.springcloud.commandhandling.SpringHttpCommandBusConnector;
import org.axonframework.serialization.Serializer;
import org.sagaengine.platform.web.PeerAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Commands between services in the embedded topology: Axon's distributed command bus over HTTP, with the peers listed
 * statically (Spring Cloud's simple discovery client). Axon Server takes this role when distributed.
 * <p>
 * Three things the Spring Cloud extension leaves to us: a {@link Registration} for this node whose URI is the one
 * the peers list for it; telling the router when this node is up; and a heartbeat, on which the router asks every
 * peer again which commands it handles, so that a peer that starts later (or restarts) is found. The heartbeat is
 * quick while a peer is missing from the routing table and slow once the table has settled: each beat costs every
 * node a request to each peer and a new table, and while nothing changes it finds nothing.
 */
@AutoConfiguration(beforeName = "org.axonframework.extensions.springcloud.autoconfig.SpringCloudAutoConfiguration")
@ConditionalOnProperty(name = "axon.distributed.enabled", havingValue = "true")
@EnableConfigurationProperties(DistributedCommandConfiguration.NodeProperties.class)
public class DistributedCommandConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DistributedCommandConfiguration.class);

    /**
     * @param uri             how the peers reach this node: must equal its entry in the static discovery list
     * @param heartbeat       how often the routing table is refreshed from the peers while one of them is missing
     *                        from it, or the last refresh changed it
     * @param heartbeatWhenSettled how often it is refreshed once every peer is in it and the last refresh changed
     *                        nothing; at least {@code heartbeat}
     * @param dispatchThreads how many commands this node may have in flight to its peers at once
     * @param connectTimeout  how long to wait for a connection to a peer
     * @param replyTimeout    how long to wait for a peer's reply to a command; a command that times out is retried
     *                        like any transient failure, which the participants' idempotence makes safe
     * @param secret          shared by all nodes: their command bus endpoints answer only requests that carry it, and
     *                        answer nobody when it is not set
     */
    @ConfigurationProperties("sagaengine.node")
    public record NodeProperties(URI uri, Duration heartbeat, Duration heartbeatWhenSettled, Integer dispatchThreads,
                                 Duration connectTimeout, Duration replyTimeout, String secret) {
        public NodeProperties {
            heartbeat = heartbeat == null ? Duration.ofSeconds(2) : heartbeat;
            heartbeatWhenSettled = heartbeatWhenSettled == null ? Duration.ofSeconds(30) : heartbeatWhenSettled;
            if (heartbeatWhenSettled.compareTo(heartbeat) < 0) {
                throw new IllegalArgumentException("sagaengine.node.heartbeat-when-settled (" + heartbeatWhenSettled
                        + ") must not be shorter than sagaengine.node.heartbeat (" + heartbeat + ")");
            }
            dispatchThreads = dispatchThreads == null ? 16 : dispatchThreads;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
            replyTimeout = replyTimeout == null ? Duration.ofSeconds(10) : replyTimeout;
        }
    }

    /**
     * Calls to peers never wait for ever: a peer that hangs is a transient failure, not a stuck saga. They carry the
     * nodes' shared secret, which the peers' {@link PeerAuthentication} asks for.
     */
    @Bean
    RestTemplate restTemplate(NodeProperties node) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(node.connectTimeout());
        requests.setReadTimeout(node.replyTimeout());
        RestTemplate rest = new RestTemplate(requests);
        if (hasSecret(node)) {
            rest.getInterceptors().add((request, body, execution) -> {
                request.getHeaders().set(PeerAuthentication.HEADER, node.secret());
                return execution.execute(request, body);
            });
        }
        return rest;
    }

    /**
     * The command bus's endpoints answer only requests that carry the shared secret. Without a secret configured they
     * answer nobody, so a node started by hand without one still refuses commands from the network.
     */
    @Bean
    PeerAuthentication peerAuthentication(NodeProperties node) {
        if (!hasSecret(node)) {
            log.warn("No sagaengine.node.secret is set: this node refuses every command from other nodes");
        }
        return new PeerAuthentication(Set.of(SpringHttpCommandBusConnector.class, MemberCapabilitiesController.class),
                                      hasSecret(node) ? node.secret() : randomUnguessable());
    }

    /** The secret is asked for on the handler Spring MVC has matched, whatever spelling of the path reached it. */
    @Bean
    WebMvcConfigurer peerAuthenticationOnHandlers(PeerAuthentication authentication) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(authentication).order(Ordered.HIGHEST_PRECEDENCE);
            }
        };
    }

    /** The peers' commands, at the connector's path, without Spring MVC; {@link PeerCommandServlet}. */
    @Bean
    ServletRegistrationBean<PeerCommandServlet> peerCommandServlet(SpringHttpCommandBusConnector connector,
                                                                   PeerAuthentication authentication,
                                                                   ObjectMapper json) {
        ServletRegistrationBean<PeerCommandServlet> registration = new ServletRegistrationBean<>(
                new PeerCommandServlet(connector, authentication, json), PeerCommandServlet.PATH);
        registration.setName("peerCommands");
        registration.setLoadOnStartup(1);
        return registration;
    }

    /**
     * The peers' requests are the command bus's transport, not the service's API: they are not timed as HTTP requests
     * ({@code http.server.requests}). Axon's own metrics time the commands they carry. Observing each of them cost
     * several per cent of every service's CPU under load.
     */
    @Bean
    ObservationPredicate peerRequestsUnobserved() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && server.getCarrier() != null && isPeerRequest(server.getCarrier()));
    }

    private static boolean isPeerRequest(HttpServletRequest request) {
        return request.getRequestURI() != null && PeerAuthentication.isPeerPath(request.getRequestURI());
    }

    private static boolean hasSecret(NodeProperties node) {
        return node.secret() != null && !node.secret().isBlank();
    }

    private static String randomUnguessable() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Bean
    Registration localRegistration(NodeProperties node,
                                   @Value("${spring.application.name}") String serviceId) {
        if (node.uri() == null) {
            throw new IllegalStateException("sagaengine.node.uri must name how the other services reach this one");
        }
        // The router writes this node's routing information into the metadata, so it has to be mutable.
        Map<String, String> metadata = new HashMap<>();
        DefaultServiceInstance instance = new DefaultServiceInstance(
                serviceId + "@" + node.uri(), serviceId, node.uri().getHost(), node.uri().getPort(),
                "https".equals(node.uri().getScheme()), metadata);
        instance.setUri(node.uri());
        return new LocalRegistration(instance);
    }

    @Bean
    CommandRoutingHealthIndicator commandRoutingHealthIndicator(DiscoveryClient discoveryClient) {
        return new CommandRoutingHealthIndicator(discoveryClient);
    }

    /** The extension's router, built as its auto-configuration would, but telling us when its routing table changes. */
    @Bean
    CommandRouter springCloudCommandRouter(DiscoveryClient discoveryClient, Registration localRegistration,
                                           RoutingStrategy routingStrategy,
                                           CapabilityDiscoveryMode capabilityDiscoveryMode, Serializer serializer,
                                           CommandRoutingHealthIndicator routingTable) {
        return SpringCloudCommandRouter.builder()
                                       .discoveryClient(discoveryClient)
                                       .localServiceInstance(localRegistration)
                                       .routingStrategy(routingStrategy)
                                       .capabilityDiscoveryMode(capabilityDiscoveryMode)
                                       .serializer(serializer)
                                       .consistentHashChangeListener(routingTable::routingChanged)
                                       .build();
    }

    /**
     * Declared with its concrete type: Spring MVC maps the connector's endpoint only when it can see the type.
     * Commands to peers are sent from a pool, so that sending one does not hold up the sender (the saga, say) for
     * the peer's whole round trip; when the pool and its queue are full, the sender waits, which is the back-pressure.
     */
    @Bean
    SpringHttpCommandBusConnector springHttpCommandBusConnector(@Qualifier("localSegment") CommandBus localSegment,
                                                                RestTemplate restTemplate,
                                                                @Qualifier("messageSerializer") Serializer serializer,
                                                                ExecutorService commandDispatch) {
        return SpringHttpCommandBusConnector.builder()
                                            .localCommandBus(localSegment)
                                            .restOperations(restTemplate)
                                            .serializer(new PeerMessageSerializer(serializer))
                                            .executor(commandDispatch)
                                            .build();
    }

    @Bean(destroyMethod = "shutdown")
    ExecutorService commandDispatch(NodeProperties node) {
        return new ThreadPoolExecutor(node.dispatchThreads(), node.dispatchThreads(), 60, TimeUnit.SECONDS,
                                      new ArrayBlockingQueue<>(1_000), PlatformThreads.daemons("command-dispatch"),
                                      new ThreadPoolExecutor.CallerRunsPolicy());
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService routingHeartbeat() {
        return PlatformThreads.singleDaemonScheduler("routing-heartbeat");
    }

    @Bean
    RoutingAnnouncer routingAnnouncer(ApplicationEventPublisher publisher, Registration registration,
                                      ScheduledExecutorService routingHeartbeat, NodeProperties node,
                                      CommandRoutingHealthIndicator routingTable) {
        return new RoutingAnnouncer(publisher, registration, routingHeartbeat, node.heartbeat(),
                                    node.heartbeatWhenSettled(), routingTable, System::nanoTime);
    }

    /**
     * Tells the router this node is up, then beats: every {@code heartbeat} while the routing table is unsettled,
     * every {@code heartbeatWhenSettled} once it has settled. It looks at the table every {@code heartbeat}, so a peer
     * that drops out of it is looked for again as quickly as before.
     */
    static final class RoutingAnnouncer {
        private final ApplicationEventPublisher publisher;
        private final Registration registration;
        private final ScheduledExecutorService scheduler;
        private final Duration heartbeat;
        private final long settledNanos;
        private final CommandRoutingHealthIndicator routingTable;
        private final LongSupplier nanoTime;
        private final AtomicLong beats = new AtomicLong();
        private long lastBeat;
        private boolean settled;

        RoutingAnnouncer(ApplicationEventPublisher publisher, Registration registration,
                         ScheduledExecutorService scheduler, Duration heartbeat, Duration heartbeatWhenSettled,
                         CommandRoutingHealthIndicator routingTable, LongSupplier nanoTime) {
            this.publisher = publisher;
            this.registration = registration;
            this.scheduler = scheduler;
            this.heartbeat = heartbeat;
            this.settledNanos = heartbeatWhenSettled.toNanos();
            this.routingTable = routingTable;
            this.nanoTime = nanoTime;
        }

        @EventListener(ApplicationReadyEvent.class)
        void announce() {
            publisher.publishEvent(new InstanceRegisteredEvent<>(this, registration));
            log.info("Command routing up for {} at {}", registration.getServiceId(), registration.getUri());
            lastBeat = nanoTime.getAsLong();
            scheduler.scheduleWithFixedDelay(this::tick, heartbeat.toMillis(), heartbeat.toMillis(),
                                             TimeUnit.MILLISECONDS);
        }

        /** One look at the table, on the scheduler's single thread: a beat when one is due. */
        void tick() {
            boolean nowSettled = routingTable.settled();
            if (nowSettled != settled) {
                settled = nowSettled;
                if (nowSettled) {
                    log.info("Command routing settled: every peer is routed; the peers are asked again every {}",
                             Duration.ofNanos(settledNanos));
                } else {
                    log.info("Command routing unsettled: the peers are asked again every {}", heartbeat);
                }
            }
            long now = nanoTime.getAsLong();
            if (nowSettled && now - lastBeat < settledNanos) {
                return;
            }
            lastBeat = now;
            try {
                publisher.publishEvent(new HeartbeatEvent(this, beats.incrementAndGet()));
            } catch (RuntimeException e) {
                log.warn("Refreshing the command routing table failed; trying again in {}", heartbeat, e);
            }
        }
    }

    record LocalRegistration(DefaultServiceInstance instance) implements Registration {
        @Override
        public String getInstanceId() {
            return instance.getInstanceId();
        }

        @Override
        public String getServiceId() {
            return instance.getServiceId();
        }

        @Override
        public String getHost() {
            return instance.getHost();
        }

        @Override
        public int getPort() {
            return instance.getPort();
        }

        @Override
        public boolean isSecure() {
            return instance.isSecure();
        }

        @Override
        public URI getUri() {
            return instance.getUri();
        }

        @Override
        public Map<String, String> getMetadata() {
            return instance.getMetadata();
        }
    }
}
