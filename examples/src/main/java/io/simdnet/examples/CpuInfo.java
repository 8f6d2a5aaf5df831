package io.simdnet.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU family from /proc/cpuinfo (25 = Zen 4, 26 = Zen 5 on the machines here), recorded with every result. */
final class CpuInfo {

    private CpuInfo() {
    }

    static String family() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu family")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }
}
