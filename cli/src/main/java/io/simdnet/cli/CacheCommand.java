package io.simdnet.cli;

import io.simdnet.engine.kernel.cache.KernelCacheMaintenance;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cache", mixinStandardHelpOptions = true,
        description = {"Shows or tidies the kernel cache (run-time compiled kernels; ~/.cache/simdnet/kernels, -Dsimdnet.kernel.cache or "
                + "$SIMDNET_KERNEL_CACHE).",
            "list: every entry, least recently used first; clear: remove them all; prune: remove other generator versions, then least "
                    + "recently used entries down to the size cap."})
final class CacheCommand implements Callable<Integer> {

    enum Action { list, clear, prune }

    @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "list, clear or prune (default: list).")
    Action action = Action.list;

    @Option(names = "--dir", paramLabel = "DIR", description = "The cache folder (default: the one the trainers use).")
    Path dir;

    @Option(names = "--max", paramLabel = "SIZE",
            description = "Size cap for prune, e.g. 64M (default: -Dsimdnet.kernel.cache.max, $SIMDNET_KERNEL_CACHE_MAX, else 256M).")
    String max;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long cap = max == null ? KernelCacheMaintenance.defaultMaxBytes() : KernelCacheMaintenance.parseSize("--max", max);
        KernelCacheMaintenance cache = dir == null && max == null ? KernelCacheMaintenance.ofDefaultCache()
                : KernelCacheMaintenance.of(dir == null ? KernelCacheMaintenance.ofDefaultCache().root() : dir, cap);
        switch (action) {
            case list -> {
                List<KernelCacheMaintenance.Entry> entries = cache.list();
                DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());
                for (KernelCacheMaintenance.Entry e : entries) {
                    out.printf(Locale.ROOT, "%s  %9s  %s  %s%s%n", time.format(e.lastUsed()), human(e.bytes()), e.version(), e.spec(),
                            e.current() ? "" : "  (other generator version: prune removes it)");
                }
                out.printf(Locale.ROOT, "%d entries, %s in %s (cap %s; this build uses %s)%n", entries.size(), human(cache.totalBytes()), cache.root(),
                        human(cache.maxBytes()), KernelCacheMaintenance.currentVersion());
            }
            case clear -> {
                int removed = cache.clear();
                out.printf(Locale.ROOT, "Removed %d entries from %s%n", removed, cache.root());
            }
            case prune -> {
                KernelCacheMaintenance.PruneResult r = cache.prune();
                out.printf(Locale.ROOT, "Removed %d folders of other versions or abandoned writes and %d least recently used entries: %s → %s (cap %s) in %s%n",
                        r.otherVersions(), r.evicted(), human(r.bytesBefore()), human(r.bytesAfter()), human(cache.maxBytes()), cache.root());
            }
        }
        return 0;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
