package org.sagaengine.platform;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults every service shares, at the lowest precedence so that a service's own configuration, the command line or
 * the environment can override each of them. They must be in place before auto-configuration conditions are read,
 * which is why they are not a {@code @PropertySource}.
 */
public class PlatformDefaults implements EnvironmentPostProcessor {

    /** Where events live and how commands travel: the one thing the two topologies do differently. */
    public static final String TOPOLOGY = "sagaengine.topology";

    /**
     * Embedded: the shared JDBC event store, and commands between services over HTTP on Axon's distributed command bus,
     * with the peers listed statically. Readiness includes the events database and the command routing table.
     */
    static final Map<String, Object> EMBEDDED = Map.ofEntries(
            Map.entry("axon.axonserver.enabled", "false"),
            Map.entry("axon.distributed.enabled", "true"),
            Map.entry("axon.distributed.spring-cloud.mode", "rest"),
            Map.entry("axon.distributed.spring-cloud.enable-ignore-listing", "false"),
            // Where the peers are when each runs on its default port; the launcher passes the real addresses.
            Map.entry("spring.cloud.discovery.client.simple.instances.order-saga[0].uri", "http://localhost:8081"),
            Map.entry("spring.cloud.discovery.client.simple.instances.inventory-service[0].uri", "http://localhost:8082"),
            Map.entry("spring.cloud.discovery.client.simple.instances.payment-service[0].uri", "http://localhost:8083"),
            Map.entry("management.endpoint.health.group.readiness.include",
                      "readinessState,db,eventStore,commandRouting"));

    /**
     * Axon Server: it stores the events and routes commands, events and queries. Each service keeps its own database
     * for read models, tokens, sagas, deadlines and dead letters. Readiness includes the connection to Axon Server.
     */
    static final Map<String, Object> AXON_SERVER = Map.ofEntries(
            Map.entry("axon.axonserver.enabled", "true"),
            Map.entry("axon.distributed.enabled", "false"),
            Map.entry("spring.cloud.discovery.enabled", "false"),
            Map.entry("management.endpoint.health.group.readiness.include", "readinessState,db,axonServer"));

    static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("axon.update-check.disabled", "true"),
            Map.entry("axon.serializer.general", "jackson"),
            Map.entry("axon.serializer.events", "jackson"),
            Map.entry("axon.serializer.messages", "jackson"),
            Map.entry("spring.flyway.locations", "classpath:db/axon,classpath:db/migration"),
            Map.entry("spring.jackson.deserialization.fail-on-unknown-properties", "true"),
            Map.entry("spring.jackson.deserialization.fail-on-null-for-primitives", "true"),
            // Strict JSON: a fraction or a string is no integer, a key given twice is an error, and so is anything after
            // the document. Money and quantities are never rounded silently.
            Map.entry("spring.jackson.deserialization.accept-float-as-int", "false"),
            Map.entry("spring.jackson.deserialization.fail-on-trailing-tokens", "true"),
            Map.entry("spring.jackson.mapper.allow-coercion-of-scalars", "false"),
            Map.entry("spring.jackson.parser.strict-duplicate-detection", "true"),
            Map.entry("management.endpoints.web.exposure.include", "health,info,metrics,prometheus"),
            Map.entry("axon.metrics.micrometer.dimensional", "true"),
            // Axon's handler and unit-of-work time limits walk the thread's stack at the start of every handler, even
            // when nothing is slow: several per cent of all CPU under load. Nothing here relies on them interrupting
            // a handler: a saga's steps have deadlines of their own.
            Map.entry("axon.timeout.enabled", "false"),
            // Spring Security observes each of its filters on every request, as timers and spans nothing here reads:
            // a few per cent of all CPU under load. The HTTP requests themselves are still timed. With this false,
            // SecurityConfiguration has Spring Security leave its filters unwrapped as well.
            Map.entry("management.observations.enable.spring.security", "false"),
            // Anonymous callers see whether a service is up; the components and their details are for the admin.
            Map.entry("management.endpoint.health.show-details", "when-authorized"),
            Map.entry("management.endpoint.health.roles", "ADMIN"),
            // info shows the instance id the launcher gave the process, so that it knows it is talking to its own.
            Map.entry("management.info.env.enabled", "true"),
            // Liveness: the process works. Readiness: it can do its job, with its databases and every peer reachable.
            Map.entry("management.endpoint.health.probes.enabled", "true"),
            Map.entry("management.endpoint.health.validate-group-membership", "false"),
            Map.entry("management.endpoint.health.group.liveness.include", "livenessState,ping"),
            Map.entry("server.shutdown", "graceful"),
            // A burst of new connections waits in the kernel's accept queue for Tomcat to take it. With Tomcat's
            // 100 the queue overflows at a few hundred clients connecting at once: the kernel drops their handshakes
            // and they are answered seconds later, if at all, instead of with a quick 202 or 503.
            Map.entry("server.tomcat.accept-count", "1024"),
            // Room for a long (and refused) id in the URL, so that Spring, not the server, answers it with a problem.
            Map.entry("server.max-http-request-header-size", "32KB"),
            // The command bus's own endpoints are for the peers, not part of the service's API.
            Map.entry("springdoc.paths-to-exclude", "/spring-command-bus-connector/**,/member-capabilities/**"));

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        // Axon's update checker reads a system property, not Spring's environment; the product must not call home.
        if (System.getProperty("axoniq.update-checker.disabled") == null) {
            System.setProperty("axoniq.update-checker.disabled", "true");
        }
        String topology = environment.getProperty(TOPOLOGY, "embedded");
        Map<String, Object> topologyDefaults = switch (topology) {
            case "embedded" -> EMBEDDED;
            case "axonserver" -> AXON_SERVER;
            default -> throw new IllegalStateException(
                    TOPOLOGY + " must be 'embedded' or 'axonserver', not '" + topology + "'");
        };
        environment.getPropertySources().addLast(new MapPropertySource("sagaengine-topology-" + topology,
                                                                       topologyDefaults));
        environment.getPropertySources().addLast(new MapPropertySource("sagaengine-platform-defaults", DEFAULTS));
    }
}
