package io.simdnet.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The example trainers, one subcommand per course experiment. */
@Command(name = "simdnet", mixinStandardHelpOptions = true, version = "simdnet examples 0.1.0",
        description = "Trains the classic course networks on the simdnet engine and writes a run folder with metrics and plots.",
        subcommands = {Lenet5Command.class, FashionMlpCommand.class, MnistCommand.Mlp.class, MnistCommand.Cnn.class,
            Cifar100CoarseCommand.class, Cifar10ConvnetCommand.class, CifarBestCommand.class, SparseAutoencoderCommand.class,
            SweepCommand.class, BackpropDemoCommand.class, FacesCommand.class, Cs231nConvnetCommand.class, DownloadCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        // The trainers draw PNGs off screen; no display is needed or used.
        System.setProperty("java.awt.headless", "true");
        CommandLine cli = new CommandLine(new Main());
        // Bad values and missing data are the user's to fix: one line naming the problem, not a stack trace.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
                command.getErr().println("simdnet " + command.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }
}
