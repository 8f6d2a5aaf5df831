package io.simdnet.engine.kernel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps C1 away from the generated micro-kernels. Why: C1's profiling tier can run out of virtual registers
 * on an unrolled Vector API loop ("out of virtual registers in LIR generator"); HotSpot then leaves the
 * method at its lowest compiled tier for good, where every vector is boxed (seen: a 128×128×10 product at
 * 1 GFLOP/s and 3 MB allocated per call, in about half of all runs). Excluded from C1, the kernels go from
 * the interpreter straight to C2. Installed once, through the JVM's own diagnostic command, before any
 * kernel class is loaded; where that command is missing the JVM runs as it would have.
 */
final class JitDirectives {

    private static final String DIRECTIVE =
            "[ { match: \"io/simdnet/kernel/generated/*.*\", c1: { Exclude: true } } ]\n";

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    private JitDirectives() {
    }

    static void install() {
        try {
            Path file = Files.createTempFile("simdnet-jit", ".json");
            try {
                Files.writeString(file, DIRECTIVE);
                ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                        new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException | javax.management.JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not keep C1 off the generated kernels: " + e);
        }
    }
}
