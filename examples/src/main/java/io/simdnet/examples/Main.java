package io.simdnet.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The example trainers, one subcommand per course experiment. */
@Command(name = "simdnet", mixinStandardHelpOptions = true, version = "simdnet examples 0.1.0",
        description = "Trains the classic course networks on the simdnet engine and writes a run folder with metrics and plots.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }
}
