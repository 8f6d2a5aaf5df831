package io.simdnet.cli;

import io.simdnet.engine.kernel.tuning.TuningMode;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The example trainers, one subcommand per course experiment. */
@Command(name = "simdnet", mixinStandardHelpOptions = true, version = "simdnet 0.1.0",
        description = "Trains the classic course networks on the simdnet engine and writes a run folder with metrics and plots.",
        subcommands = {Lenet5Command.class, FashionMlpCommand.class, MnistCommand.Mlp.class, MnistCommand.Cnn.class,
            Cifar100CoarseCommand.class, Cifar10ConvnetCommand.class, CifarBestCommand.class, SparseAutoencoderCommand.class,
            SweepCommand.class, BackpropDemoCommand.class, FacesCommand.class, Cs231nConvnetCommand.class, DownloadCommand.class, InfoCommand.class, TuneCommand.class,
            CacheCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        for (String arg : args) {
            if (arg.equals("--master") || arg.startsWith("--master=")) {
                // Spark is not in this jar (its ~300 MB stay in the Spark module's launcher classpath).
                System.err.println("simdnet: --master runs sweep, lenet5 and mnist-cnn on Spark, through bin/simdnet (which switches to "
                        + "spark/target/lib) or spark-submit with spark/target/simdnet-spark-submit.jar; this jar runs locally only");
                System.exit(2);
            }
        }
        try {
            TuningMode.checkSettings();
        } catch (IllegalArgumentException e) {
            System.err.println("simdnet: " + e.getMessage());
            System.exit(2);
        }
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // The run's data and buffers are unreachable by now, so there is room to say what to do.
            System.err.println(outOfMemory(e, Runtime.getRuntime().maxMemory()));
            code = 1;
        }
        StopOnSignal.releaseAfterReport();
        System.exit(code);
    }

    /** The environment variable bin/simdnet passes to the JVM after its own options (README, "Memory"). */
    public static final String JAVA_OPTS_VARIABLE = "SIMDNET_JAVA_OPTS";

    /**
     * One line for a run that ran out of memory: what ran out, the heap's limit and how to raise it, with a limit
     * twice the present one, rounded up to whole GiB.
     */
    public static String outOfMemory(OutOfMemoryError e, long maxHeapBytes) {
        long mib = maxHeapBytes >> 20;
        long suggestedGib = Math.max(1, (2 * maxHeapBytes + (1L << 30) - 1) >> 30);
        return "simdnet: out of memory (" + describe(e) + ") with a heap limit of " + mib + " MiB; raise it through the JVM options, e.g. "
                + JAVA_OPTS_VARIABLE + "=-Xmx" + suggestedGib + "g bin/simdnet ...";
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        // The trainers draw PNGs off screen; no display is needed or used.
        System.setProperty("java.awt.headless", "true");
        return configure(new CommandLine(new Main()));
    }

    /** Installs the error handling of every simdnet command line (also the Spark module's). */
    public static CommandLine configure(CommandLine cli) {
        // Bad values and missing data are the user's to fix: one line naming the problem, not a stack trace.
        // Exit codes: 0 done, 2 a bad option or unusable data, 3 diverged, 130 stopped by a signal (checkpoint written).
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            try {
                Throwable cause = e instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause() : e;
                if (cause instanceof RunFailedException failed) {
                    command.getErr().println("simdnet " + command.getCommandName() + ": " + failed.getMessage());
                    command.getErr().flush();
                    return failed.exitCode();
                }
                if (cause instanceof IllegalArgumentException || cause instanceof java.io.IOException) {
                    command.getErr().println("simdnet " + command.getCommandName() + ": " + describe(cause));
                    command.getErr().flush();
                    return 2;
                }
                throw e;
            } finally {
                // The line is out: a shutdown waiting for it (Ctrl-C during the run) may proceed.
                StopOnSignal.releaseAfterReport();
            }
        });
        return cli;
    }

    /** The message, or the exception's kind when it has none (a bare {@code null} helps nobody). */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName() + (e.getCause() == null ? "" : ": " + describe(e.getCause()));
        }
        return message;
    }
}
