package org.sagaengine.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.GenericTokenEntry;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the tokens Axon's JDBC token store keeps in the service's database ({@code tokenentry}, Axon's default
 * table), without claiming them: the processor that owns a segment, in this process or another, keeps it.
 */
final class JdbcStoredPositions implements StoredPositions {

    private final JdbcClient jdbc;
    private final Supplier<Serializer> tokenSerializer;

    /**
     * @param jdbc            the database of the service's token store
     * @param tokenSerializer the serializer its tokens are written with
     */
    JdbcStoredPositions(JdbcClient jdbc, Supplier<Serializer> tokenSerializer) {
        this.jdbc = jdbc;
        this.tokenSerializer = tokenSerializer;
    }

    @Override
    public Map<Integer, Long> of(String processorName) {
        Serializer serializer = tokenSerializer.get();
        Map<Integer, Long> positions = new HashMap<>();
        jdbc.sql("select segment, token, tokentype, timestamp, owner from tokenentry where processorname = ?")
            .param(processorName)
            .query(row -> {
                TrackingToken token = new GenericTokenEntry<>(row.getBytes("token"), row.getString("tokentype"),
                                                              row.getString("timestamp"), row.getString("owner"),
                                                              processorName, row.getInt("segment"), byte[].class)
                        .getToken(serializer);
                positions.put(row.getInt("segment"), token == null ? -1L : token.position().orElse(-1L));
            });
        return positions;
    }
}
