package org.sagaengine.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the embedded system is started with.
 *
 * @param dataDirectory where PostgreSQL keeps its files and the services write their logs; kept between runs
 * @param servicesDirectory where the services' executable jars are
 * @param postgresPort the embedded PostgreSQL's port; ignored when {@code externalPostgres} is set
 * @param externalPostgres a server of the user's own, instead of the embedded one
 * @param orderPort, inventoryPort, paymentPort the services' HTTP ports
 * @param bindAddress the address the services listen on: {@code 127.0.0.1} unless the user asks for more
 * @param durableDatabase fsync and synchronous commit on (the default); off only where a test trades durability for
 *                        speed
 * @param supervise whether a service or PostgreSQL that dies is started again without anyone asking
 * @param serviceJvmOptions options for each service's JVM
 * @param serviceArguments further Spring properties for every service, as {@code --name=value}
 * @param startTimeout how long the services may take to become healthy
 * @param axonServer where Axon Server is ({@code host:port}) for the distributed topology, or null for the embedded
 *                   one, in which the services share a JDBC event store and send each other commands over HTTP
 */
public record SystemSettings(Path dataDirectory, Path servicesDirectory, int postgresPort,
                             ExternalPostgres externalPostgres, int orderPort, int inventoryPort, int paymentPort,
                             String bindAddress, boolean durableDatabase, boolean supervise,
                             List<String> serviceJvmOptions, List<String> serviceArguments,
                             Duration startTimeout, String axonServer) {

    /** The same settings, with the services connected to the Axon Server at {@code address}. */
    public SystemSettings withAxonServer(String address) {
        return new SystemSettings(dataDirectory, servicesDirectory, postgresPort, externalPostgres, orderPort,
                                  inventoryPort, paymentPort, bindAddress, durableDatabase, supervise,
                                  serviceJvmOptions, serviceArguments, startTimeout, address);
    }

    /** A PostgreSQL server the user runs; its user must be allowed to create databases. */
    public record ExternalPostgres(String host, int port, String username, String password) {
    }
}
