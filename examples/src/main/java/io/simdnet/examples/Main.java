package io.simdnet.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The example trainers, one subcommand per course experiment. */
@Command(name = "simdnet", mixinStandardHelpOptions = true, version = "simdnet examples 0.1.0",
        description = "Trains the classic course networks on the simdnet engine and writes a run folder with metrics and plots.",
        subcommands = {Lenet5Command.class, FashionMlpCommand.class, MnistCommand.Mlp.class, MnistCommand.Cnn.class,
            Cifar100CoarseCommand.class, Cifar10ConvnetCommand.class, CifarBestCommand.class, SparseAutoencoderCommand.class,
            SweepCommand.class, BackpropDemoCommand.class, DownloadCommand.class, CacheCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        StopOnSignal.releaseAfterReport();
        System.exit(code);
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        // The trainers draw PNGs off screen; no display is needed or used.
        System.setProperty("java.awt.headless", "true");
        CommandLine cli = new CommandLine(new Main());
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
