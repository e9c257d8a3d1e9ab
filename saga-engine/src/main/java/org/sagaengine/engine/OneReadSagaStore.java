package org.sagaengine.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.JdbcUtils;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.SagaStorageException;
import org.axonframework.modelling.saga.repository.jdbc.GenericSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.JdbcSagaStore;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

/**
 * Axon's JDBC saga store, except that it loads a saga with one query instead of two: its state and its association
 * values, joined. Axon reads the state, then the associations in a second round trip, each time a batch of events or
 * a deadline reaches the saga; here one statement reads both, from one snapshot of the database. Everything else
 * (finding sagas by an association, inserting, updating and deleting them) is Axon's own.
 * <p>
 * Like Axon's, a saga's associations are those of its type: a row of another type for the same id is not one of them.
 */
public final class OneReadSagaStore extends JdbcSagaStore {

    private final ConnectionProvider connections;
    private final String load;
    private Serializer serializer;

    private OneReadSagaStore(Builder builder, ConnectionProvider connections, SagaSchema schema,
                             Serializer serializer) {
        super(builder);
        this.connections = connections;
        this.serializer = serializer;
        this.load = "select s." + schema.serializedSagaColumn() + ", s." + schema.sagaTypeColumn() + ", s."
                    + schema.revisionColumn() + ", a." + schema.associationKeyColumn() + ", a."
                    + schema.associationValueColumn()
                    + " from " + schema.sagaEntryTable() + " s left join " + schema.associationValueEntryTable()
                    + " a on a." + schema.sagaIdColumn() + " = s." + schema.sagaIdColumn()
                    + " and a." + schema.sagaTypeColumn() + " = ?"
                    + " where s." + schema.sagaIdColumn() + " = ?";
    }

    /**
     * A saga store on these connections, in the tables {@code schema} names, storing sagas with {@code serializer}.
     */
    public static OneReadSagaStore of(ConnectionProvider connections, SagaSchema schema, Serializer serializer) {
        return new OneReadSagaStore(JdbcSagaStore.builder()
                                                 .connectionProvider(connections)
                                                 .sqlSchema(new GenericSagaSqlSchema(schema))
                                                 .serializer(serializer),
                                    connections, schema, serializer);
    }

    @Override
    public <S> Entry<S> loadSaga(Class<S> sagaType, String sagaIdentifier) {
        Connection connection = null;
        PreparedStatement statement = null;
        ResultSet rows = null;
        try {
            connection = connections.getConnection();
            statement = connection.prepareStatement(load);
            statement.setString(1, sagaTypeName(sagaType));
            statement.setString(2, sagaIdentifier);
            rows = statement.executeQuery();
            if (!rows.next()) {
                return null;
            }
            SimpleSerializedObject<byte[]> state = new SimpleSerializedObject<>(
                    rows.getBytes(1), byte[].class, rows.getString(2), rows.getString(3));
            Set<AssociationValue> associations = new HashSet<>();
            do {
                String key = rows.getString(4);
                if (key != null) {
                    associations.add(new AssociationValue(key, rows.getString(5)));
                }
            } while (rows.next());
            S saga = serializer.deserialize(state);
            return new Loaded<>(saga, associations);
        } catch (SQLException e) {
            throw new SagaStorageException("Exception while loading a Saga", e);
        } finally {
            JdbcUtils.closeQuietly(rows);
            JdbcUtils.closeQuietly(statement);
            JdbcUtils.closeQuietly(connection);
        }
    }

    @Override
    public void setSerializer(Serializer serializer) {
        super.setSerializer(serializer);
        this.serializer = serializer;
    }

    /** The saga type's name in the store, as Axon writes it. */
    private String sagaTypeName(Class<?> sagaType) {
        return serializer.typeForClass(sagaType).getName();
    }

    private record Loaded<S>(S saga, Set<AssociationValue> associationValues) implements Entry<S> {
    }
}
