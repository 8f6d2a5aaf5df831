package io.simdnet.examples;

import io.simdnet.engine.kernel.KernelCacheMaintenance;
import io.simdnet.engine.kernel.MachineProfile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
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
        KernelCacheMaintenance cache = KernelCacheMaintenance.ofDefaultCache();
        String contents = Files.isDirectory(cache.root()) ? cache.list().size() + " kernels, " + CacheCommand.human(cache.totalBytes()) : "empty";
        out.println("kernel cache   " + cache.root() + " (" + contents + ")");
        String warning = profile.narrowerWidthWarning();
        if (warning != null) {
            out.println(warning);
        }
        out.flush();
        return 0;
    }
}
