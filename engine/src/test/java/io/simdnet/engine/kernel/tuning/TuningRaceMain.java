package io.simdnet.engine.kernel.tuning;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.kernel.spec.KernelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One of the JVMs of {@link TuningRaceTest}: tunes one spec into a shared cache folder. Arguments: the cache
 * folder, the spec's key, the batch; with a fourth, a start file, it first writes {@code <start>.<name>.ready} and
 * waits (at most a minute) until the start file exists, so that the JVMs tune at the same time. Prints
 * {@code winner=<key>} and exits 0, or exits 1 when nothing was tuned.
 */
public final class TuningRaceMain {

    private TuningRaceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Path.of(args[0]);
        KernelSpec spec = KernelSpec.parse(args[1]);
        int batch = Integer.parseInt(args[2]);
        // Two of these JVMs compile and time on two cores at once: the budget leaves C2 room on a loaded machine (300 ms
        // once ran out before the default variant was compiled); the test takes about a second longer for it.
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(true, true, cache, TuningMode.EAGER, Duration.ofMillis(1500), false));
        if (args.length > 3) {
            Path start = Path.of(args[3]);
            Files.writeString(start.resolveSibling(start.getFileName() + "." + args[4] + ".ready"), "");
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!Files.exists(start) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        TuningRecord record = registry.tuning().tune(spec, batch);
        if (record == null) {
            System.out.println("nothing tuned for '" + spec.key() + "'");
            System.exit(1);
        }
        System.out.println("winner=" + record.winner());
        System.exit(0);
    }
}
