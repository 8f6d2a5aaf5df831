package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JVMs limited as other CPUs are (AVX2 only; 128-bit vectors as on ARM NEON) detect their width and are
 * served kernels generated for it: from the build for AVX2, compiled at run time for 128 bits.
 */
class VectorWidthDetectionTest {

    @TempDir
    Path cache;

    private Map<String, String> probe(String... jvmFlags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-modules=jdk.incubator.vector");
        command.addAll(List.of(jvmFlags));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WidthProbe.class.getName());
        command.add(cache.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe did not finish: " + output);
        assertEquals(0, process.exitValue(), output);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("WARNING")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    @Test
    void anAvx2JvmIsServedTheBuildTimeKernelsFor256BitsAnd16Registers() throws Exception {
        Map<String, String> probe = probe("-XX:UseAVX=2");
        assertEquals("256/16", probe.get("target"), probe.toString());
        assertEquals("BUILD_TIME", probe.get("origin"), probe.toString());
        assertTrue(probe.get("class").contains("V256R16"), probe.toString());
        assertTrue(Double.parseDouble(probe.get("error")) < 1e-3, probe.toString());
    }

    @Test
    void a128BitJvmGetsKernelsCompiledAtRunTimeForItsWidth() throws Exception {
        Map<String, String> probe = probe("-XX:MaxVectorSize=16");
        assertEquals("128", probe.get("target").split("/")[0], probe.toString());
        assertEquals("RUNTIME_COMPILED", probe.get("origin"), probe.toString());
        assertTrue(probe.get("class").contains("V128R"), probe.toString());
        assertTrue(Double.parseDouble(probe.get("error")) < 1e-3, probe.toString());
    }

    @Test
    void aWidthTheJvmCannotRunIsRefusedInOneLine() throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "--add-modules=jdk.incubator.vector",
                "-XX:UseAVX=2", "-Dsimdnet.vectorBits=512", "-cp", System.getProperty("java.class.path"), WidthProbe.class.getName(),
                cache.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertTrue(process.exitValue() != 0, output);
        assertTrue(output.contains("-Dsimdnet.vectorBits=512: this JVM runs vectors of at most 256 bits"), output);
    }
}
