package io.simdnet.cli;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.engine.kernel.cache.KernelCacheMaintenance;
import io.simdnet.engine.kernel.tuning.TuningProfile;
import io.simdnet.engine.kernel.tuning.TuningRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bin/simdnet info}: the machine profile kernels are generated for, the kernel cache and the tuning records. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the detected machine profile (CPU, vector width and registers, cores, caches, JDK), the kernel cache and the "
                + "tuning records (bin/simdnet tune).")
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
        KernelRegistry registry = KernelRegistry.global();
        TuningProfile tuning = profile.tuningProfile();
        List<Path> files = registry.tuning().recordFiles();
        long shipped = registry.tuning().shippedRecords().stream().filter(r -> tuning.sharesFamily(r.profile())).count();
        out.println("tuning         " + registry.options().tuning().name().toLowerCase(java.util.Locale.ROOT) + " (-Dsimdnet.tune=off|records|lazy|eager); "
                + files.size() + " records in " + registry.tuning().recordFolder() + ", " + shipped + " shipped for this machine ("
                + registry.tuning().shippedRecords().size() + " in all)");
        for (Path file : files) {
            TuningRecord record = TuningRecord.readFile(file);
            if (record != null) {
                String mine = record.profile().equals(tuning) ? "" : "  [other machine: " + record.profile() + "]";
                out.printf(java.util.Locale.ROOT, "  %-60s %8.1f µs → %8.1f µs (%.2f×) %s%s%n", shorten(record.spec()), record.defaultMicros(),
                        record.winnerMicros(), record.speedup(), TuneCommand.winner(record), mine);
            }
        }
        String warning = profile.narrowerWidthWarning();
        if (warning != null) {
            out.println(warning);
        }
        out.flush();
        return 0;
    }

    /** The spec without the target, which the machine line already gives. */
    private static String shorten(String key) {
        return key.replaceAll(" bits=\\d+ regs=\\d+", "");
    }
}
