package io.simdnet.engine.kernel.tuning;

import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Whether the JIT still has work queued for a class's methods, asked through the JVM's diagnostic command
 * (that of {@code jcmd Compiler.queue}). The tuner times a candidate only once C2 is done with it; the Vector
 * API runs 100-300× slower before. Where the command is missing, {@link #available()} is false and the tuner
 * relies on its timings alone.
 */
final class JitState {

    private static final ObjectName COMMANDS = commands();

    private JitState() {
    }

    private static ObjectName commands() {
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            return ManagementFactory.getPlatformMBeanServer().isRegistered(name) ? name : null;
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    static boolean available() {
        return COMMANDS != null && run("compilerQueue") != null;
    }

    /** For each group of class names: whether a method of any of them (or of their nested classes) is queued or being compiled. */
    static boolean[] queued(List<List<String>> groups) {
        boolean[] queued = new boolean[groups.size()];
        String queue = run("compilerQueue");
        if (queue == null) {
            return queued;
        }
        for (int i = 0; i < groups.size(); i++) {
            for (String name : groups.get(i)) {
                queued[i] |= queue.contains(name + "::") || queue.contains(name + "$");
            }
        }
        return queued;
    }

    private static String run(String command) {
        if (COMMANDS == null) {
            return null;
        }
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(COMMANDS, command, new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            return out == null ? null : out.toString();
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }
}
