package org.sagaengine.platform;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

import jakarta.servlet.http.HttpServletResponse;
import org.sagaengine.platform.web.LoginThrottle;
import org.sagaengine.platform.web.ProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * The business API is open; the admin endpoints ({@code /admin/**}, and Actuator beyond health and info) need HTTP
 * Basic credentials of the one admin user named in configuration. There is no default password: without
 * {@code sagaengine.admin.password} every admin request is refused. Refused logins are throttled per client
 * ({@link LoginThrottle}). The command bus's endpoints have their own guard, the nodes' shared secret, and skip
 * Spring Security's filters ({@link #peerEndpoints()}).
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
        "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration"})
@EnableConfigurationProperties(SecurityConfiguration.AdminProperties.class)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    private static final String ADMIN = "ADMIN";

    /**
     * @param username the admin user's name, {@code admin} unless configured
     * @param password the admin user's password; no admin user exists without one
     */
    @ConfigurationProperties("sagaengine.admin")
    public record AdminProperties(String username, String password) {
        public AdminProperties {
            username = username == null || username.isBlank() ? "admin" : username;
        }
    }

    /**
     * The peers' two endpoints, spelled exactly as the peers call them, pass Spring Security's filters by: nothing in
     * them concerns a peer (no login, no session, no headers for a browser), they are open to everyone in the chain
     * below as well, and {@link org.sagaengine.platform.web.PeerAuthentication} asks for the nodes' secret on the
     * handler they reach, however the path is spelled. The filters ran twice for every command (the request, then
     * its asynchronous reply), which was 11-13% of inventory-service's and payment-service's CPU under load. Any
     * other spelling goes through the chain below, then to the same guard. The HTTP firewall still checks every
     * request before a chain is chosen.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain peerEndpoints() {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return new DefaultSecurityFilterChain(new OrRequestMatcher(
                paths.matcher(HttpMethod.POST, "/spring-command-bus-connector/command"),
                paths.matcher(HttpMethod.GET, "/member-capabilities")));
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return http.csrf(csrf -> csrf.disable())
                   .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                   .httpBasic(basic -> basic.authenticationEntryPoint((request, response, failure) ->
                           problem(response, HttpStatus.UNAUTHORIZED, "Admin endpoints need the admin credentials.")))
                   .exceptionHandling(errors -> errors
                           .authenticationEntryPoint((request, response, failure) -> problem(
                                   response, HttpStatus.UNAUTHORIZED, "Admin endpoints need the admin credentials."))
                           .accessDeniedHandler((request, response, denied) -> problem(
                                   response, HttpStatus.FORBIDDEN, "This user may not use admin endpoints.")))
                   .authorizeHttpRequests(requests -> requests
                           .requestMatchers("/admin/**").hasRole(ADMIN)
                           .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                           .requestMatchers("/actuator/**").hasRole(ADMIN)
                           .anyRequest().permitAll())
                   .build();
    }

    /**
     * With Spring Security's observations off ({@code management.observations.enable.spring.security=false}, a
     * platform default), its filters are not wrapped for them either. That property alone makes each observation a
     * no-op, but Spring Security still wraps every filter of the chain in an observing decorator, which on every
     * request asks the registry for an observation per filter and gets the no-op one: a few per cent of order-saga's
     * request threads under load. With these settings it wraps nothing. Setting the property to {@code true} brings
     * the decorator and its timers back.
     */
    @Bean
    @ConditionalOnProperty(name = "management.observations.enable.spring.security", havingValue = "false")
    SecurityObservationSettings securityFiltersUnobserved() {
        return SecurityObservationSettings.noObservations();
    }

    /** A URL the firewall refuses (dot segments, encoded slashes, ';' parameters) gets a problem document too. */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, rejected) -> ProblemResponses.write(
                response, HttpStatus.BAD_REQUEST, "Bad Request", "The request's URL is not acceptable.", null);
    }

    /** Before Spring Security's filters, so that a throttled client's credentials are not even checked. */
    @Bean
    FilterRegistrationBean<LoginThrottle> loginThrottle(
            @Value("${sagaengine.admin.max-failed-logins:5}") int maxFailures,
            @Value("${sagaengine.admin.failed-login-window:60s}") Duration window) {
        FilterRegistrationBean<LoginThrottle> registration =
                new FilterRegistrationBean<>(new LoginThrottle(maxFailures, window, Clock.systemUTC()));
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }

    @Bean
    UserDetailsService adminUser(AdminProperties admin) {
        if (admin.password() == null || admin.password().isBlank()) {
            log.warn("No sagaengine.admin.password is set: admin endpoints refuse every request");
            return new InMemoryUserDetailsManager();
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(admin.username())
                                                  .password(encoder.encode(admin.password()))
                                                  .roles(ADMIN)
                                                  .build());
    }

    private static void problem(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"sagaengine admin\"");
        }
        ProblemResponses.write(response, status, status.getReasonPhrase(), detail, null);
    }
}
