package io.simdnet.examples;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bin/simdnet info}: the machine profile kernels are generated for, and the kernel cache. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the detected machine profile (CPU, vector width and registers, cores, caches, JDK) and the kernel cache.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        MachineProfile profile = MachineProfile.current();
        profile.describe().forEach(out::println);
        Path cache = KernelRegistry.Options.defaults().cacheRoot();
        out.println("kernel cache   " + cache + " (" + describeCache(cache) + ")");
        String warning = profile.narrowerWidthWarning();
        if (warning != null) {
            out.println(warning);
        }
        out.flush();
        return 0;
    }

    private static String describeCache(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return "empty";
        }
        long bytes = 0;
        long kernels = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(file);
                if (file.getFileName().toString().equals("spec.txt")) {
                    kernels++;
                }
            }
        }
        return kernels + " kernels, " + String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
