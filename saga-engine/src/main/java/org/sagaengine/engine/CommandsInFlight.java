package org.sagaengine.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The commands the sagas of this process have sent and not yet seen answered, in memory: after a restart nothing is
 * on its way any more. A command that is still on its way is not sent again, and its step's deadline waits for its
 * delivery to end, answered or failed; delivery is bounded by the gateway's retries, each with a reply timeout.
 */
class CommandsInFlight {

    /** For a saga run where delivery is not watched (a specification): nothing is ever on its way. */
    static final CommandsInFlight UNTRACKED = new CommandsInFlight() {
        @Override
        boolean start(String sagaType, String sagaKey, String step, String item, String command) {
            return true;
        }
    };

    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    /** Records a command as on its way; false if it already is. */
    boolean start(String sagaType, String sagaKey, String step, String item, String command) {
        return sending.add(key(sagaType, sagaKey, step) + item + "\n" + command);
    }

    void end(String sagaType, String sagaKey, String step, String item, String command) {
        sending.remove(key(sagaType, sagaKey, step) + item + "\n" + command);
    }

    /** Whether any command of the saga's step is on its way. */
    boolean any(String sagaType, String sagaKey, String step) {
        String prefix = key(sagaType, sagaKey, step);
        return sending.stream().anyMatch(command -> command.startsWith(prefix));
    }

    private static String key(String sagaType, String sagaKey, String step) {
        return sagaType + "\n" + sagaKey + "\n" + step + "\n";
    }
}
