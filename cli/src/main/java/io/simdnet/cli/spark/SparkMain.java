package io.simdnet.cli.spark;

import io.simdnet.cli.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The commands that run on Spark: what {@code bin/simdnet ... --master URL} starts, and the main class for
 * {@code spark-submit}. Each takes the options of its local command plus {@code --master} and {@code --conf}.
 */
@Command(name = "simdnet", mixinStandardHelpOptions = true, version = "simdnet spark 0.1.0",
        description = "simdnet's experiments on Apache Spark: distributed sweeps and data-parallel training.",
        subcommands = {SparkSweepCommand.class, SparkLenet5Command.class, SparkMnistCnnCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain {

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println(Main.outOfMemory(e, Runtime.getRuntime().maxMemory()));
            code = 1;
        }
        System.exit(code);
    }

    public static CommandLine commandLine() {
        System.setProperty("java.awt.headless", "true");
        return Main.configure(new CommandLine(new SparkMain()));
    }
}
