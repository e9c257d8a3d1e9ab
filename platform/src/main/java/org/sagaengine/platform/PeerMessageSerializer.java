package org.sagaengine.platform;

import java.util.Set;

import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.RemoteExceptionDescription;
import org.axonframework.serialization.Converter;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.UnknownSerializedType;

/**
 * The serializer of what crosses the wire between services: it reads only the services' message types and the few
 * framework types that carry them. A command or reply names its own payload type, and without this a peer message
 * could ask Jackson to build any class on the class path.
 * <p>
 * A message type is a record in a service's {@code api} package ({@code org.sagaengine.<service>.api}), the only
 * types the services share. Its name is checked before any class is loaded.
 */
public final class PeerMessageSerializer implements Serializer {

    private static final String MESSAGES = "org.sagaengine.";
    private static final Set<String> FRAMEWORK_TYPES = Set.of(
            MetaData.class.getName(), RemoteExceptionDescription.class.getName(), String.class.getName(),
            SimpleSerializedType.emptyType().getName());

    private final Serializer delegate;

    public PeerMessageSerializer(Serializer delegate) {
        this.delegate = delegate;
    }

    /** Whether a type named in a peer's message may be read. */
    public static boolean isAllowed(String typeName) {
        if (FRAMEWORK_TYPES.contains(typeName)) {
            return true;
        }
        if (!typeName.startsWith(MESSAGES) || typeName.indexOf('$') >= 0) {
            return false;
        }
        int lastDot = typeName.lastIndexOf('.');
        if (!typeName.substring(0, lastDot).endsWith(".api")) {
            return false;
        }
        try {
            return Class.forName(typeName, false, PeerMessageSerializer.class.getClassLoader()).isRecord();
        } catch (ClassNotFoundException unknown) {
            return false;
        }
    }

    @Override
    public <T> SerializedObject<T> serialize(Object object, Class<T> expectedRepresentation) {
        return delegate.serialize(object, expectedRepresentation);
    }

    @Override
    public <T> boolean canSerializeTo(Class<T> expectedRepresentation) {
        return delegate.canSerializeTo(expectedRepresentation);
    }

    @Override
    public <S, T> T deserialize(SerializedObject<S> serializedObject) {
        requireAllowed(serializedObject.getType());
        return delegate.deserialize(serializedObject);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class classForType(SerializedType type) {
        if (!isAllowed(type.getName())) {
            return UnknownSerializedType.class;
        }
        return delegate.classForType(type);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public SerializedType typeForClass(Class type) {
        return delegate.typeForClass(type);
    }

    @Override
    public Converter getConverter() {
        return delegate.getConverter();
    }

    private static void requireAllowed(SerializedType type) {
        if (!isAllowed(type.getName())) {
            throw new IllegalArgumentException("Not a message type of this system: " + type.getName());
        }
    }
}
