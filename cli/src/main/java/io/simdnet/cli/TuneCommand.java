package io.simdnet.cli;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.engine.kernel.tuning.ModelTuner;
import io.simdnet.engine.kernel.tuning.TuningMode;
import io.simdnet.engine.kernel.tuning.TuningRecord;
import io.simdnet.engine.layer.LogSoftmax;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.kernel.DType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/simdnet tune <experiment>}: builds the experiment's network, runs one training step on a batch of
 * its size to learn every kernel it calls and at what batch, tunes each spec that has no record for this machine
 * (all with {@code --force}), and prints spec, default time, tuned time and winner.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Measures the variants of every kernel an experiment uses on this machine and records the fastest (kernel cache "
                + "folder, tuning/); later runs of the experiment use the records.")
final class TuneCommand implements Callable<Integer> {

    /** An experiment's network, as its trainer builds it, and its default batch size. */
    record Experiment(LongFunction<Model> network, int batchSize) {
    }

    static final Map<String, Experiment> EXPERIMENTS = experiments();

    private static Map<String, Experiment> experiments() {
        Map<String, Experiment> map = new LinkedHashMap<>();
        map.put("lenet5", new Experiment(seed -> CourseModels.lenet5(false, 0).build(DType.F32, seed), 32));
        map.put("lenet5-batchnorm", new Experiment(seed -> CourseModels.lenet5(true, 0).build(DType.F32, seed), 32));
        map.put("fashion-mlp", new Experiment(seed -> CourseModels.mlp(128, 64).build(DType.F32, seed), 128));
        map.put("mnist-mlp", new Experiment(seed -> CourseModels.mlp(128).add(new LogSoftmax()).build(DType.F32, seed), 64));
        map.put("mnist-cnn", new Experiment(seed -> CourseModels.mnistCnn().add(new LogSoftmax()).build(DType.F32, seed), 64));
        map.put("cifar10-convnet", new Experiment(seed -> Cifar10ConvnetCommand.network(10, seed), 64));
        map.put("cifar100-coarse", new Experiment(seed -> Cifar100CoarseCommand.network(20, false, seed), 64));
        map.put("cifar-best", new Experiment(seed -> CourseModels.cifarBest(10, 32, seed), 64));
        map.put("cs231n-convnet", new Experiment(seed -> new Cs231nConvnetCommand().network(10, 1e-3, 0, seed), 50));
        return map;
    }

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "What to tune: ${COMPLETION-CANDIDATES}.", completionCandidates = Names.class)
    String experiment;

    @Option(names = "--batch-size", description = "Batch size to tune at (default: the experiment's).")
    Integer batchSize;

    @Option(names = "--force", description = "Tune again the specs that already have a record.")
    boolean force;

    @Option(names = "--threads", description = "Kernel threads (default: all cores); records are kept per thread count.")
    Integer threads;

    static final class Names extends ArrayList<String> {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        Names() {
            super(EXPERIMENTS.keySet());
        }
    }

    @Override
    public Integer call() {
        Experiment chosen = EXPERIMENTS.get(experiment);
        if (chosen == null) {
            throw new IllegalArgumentException("unknown experiment '" + experiment + "', expected one of " + String.join(", ", EXPERIMENTS.keySet()));
        }
        int batch = batchSize == null ? chosen.batchSize() : batchSize;
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batch);
        }
        if (threads != null) {
            if (threads <= 0) {
                throw new IllegalArgumentException("--threads must be positive, got " + threads);
            }
            io.simdnet.kernel.KernelPool.setThreads(threads);
        }
        // The step that finds the kernels must not start tuning them in the background: this command tunes them itself.
        System.setProperty(TuningMode.PROPERTY, "off");
        KernelRegistry registry = KernelRegistry.global();
        if (registry.options().tuning() != TuningMode.OFF) {
            throw new IllegalArgumentException("the kernel registry was set up before this command (tuning " + registry.options().tuning()
                    + "); run tune in a JVM of its own");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("tuning the kernels of " + experiment + " at batch " + batch + " on " + MachineProfile.current().tuningProfile());
        out.flush();
        long start = System.nanoTime();
        List<String[]> rows = new ArrayList<>();
        int tuned = 0;
        for (ModelTuner.Result result : ModelTuner.tune(() -> chosen.network().apply(1).passOnNoise(batch), registry.tuning(), force)) {
            TuningRecord record = result.record();
            if (record == null) {
                rows.add(new String[] {result.spec(), "-", "-", "-", "one variant"});
                continue;
            }
            tuned += result.recorded() ? 0 : 1;
            rows.add(new String[] {result.spec(), micros(record.defaultMicros()), micros(record.winnerMicros()),
                String.format(Locale.ROOT, "%.2f×", record.speedup()), winner(record) + (result.recorded() ? " (recorded)" : "")});
        }
        table(out, new String[] {"spec", "default µs", "tuned µs", "speedup", "winner"}, rows);
        out.printf(Locale.ROOT, "%d specs tuned, %d recorded before, in %.1f s; records in %s%n", tuned,
                rows.stream().filter(r -> r[4].endsWith("(recorded)")).count(), (System.nanoTime() - start) / 1e9, registry.tuning().recordFolder());
        out.flush();
        return 0;
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
    }

    /** The winner as the words of its key that the default's key lacks ("default" when it is the default). */
    static String winner(TuningRecord record) {
        if (record.winner().equals(record.spec())) {
            return "default";
        }
        Set<String> base = Arrays.stream(record.spec().split(" ")).collect(Collectors.toSet());
        return Arrays.stream(record.winner().split(" ")).filter(w -> !base.contains(w)).collect(Collectors.joining(" "));
    }

    static void table(PrintWriter out, String[] header, List<String[]> rows) {
        int[] widths = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            widths[c] = header[c].length();
            for (String[] row : rows) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (String[] row : all) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String cell = row[c];
                boolean numeric = c >= 1 && c <= 3;
                line.append(numeric ? " ".repeat(widths[c] - cell.length()) + cell : cell + (c == row.length - 1 ? "" : " ".repeat(widths[c] - cell.length())));
                if (c < row.length - 1) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
