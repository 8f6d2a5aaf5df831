package io.simdnet.cli.spark;

import io.simdnet.cli.SweepCommand;
import io.simdnet.cli.SweepTrial;
import io.simdnet.cli.TrialResult;
import io.simdnet.engine.data.Dataset;
import io.simdnet.spark.SparkContexts;
import io.simdnet.spark.SparkSweep;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The sweep command with its trials run as Spark tasks; options, table, CSV and plot as the local sweep, plus trials/. */
@Command(name = "sweep", description = "The sweep (see bin/simdnet sweep --help) with each trial one Spark task on spark.task.cpus threads; "
        + "writes sweep.md, sweep.csv, sweep.png and each trial's metrics under trials/.")
public class SparkSweepCommand extends SweepCommand {

    @Mixin
    SparkOptions spark;

    @Override
    protected List<TrialResult> runTrials(List<SweepTrial> trials, Dataset train, Dataset validation, Consumer<TrialResult> onFinished) {
        try (JavaSparkContext sc = spark.open("simdnet sweep")) {
            System.out.println("Spark " + sc.version() + " on " + sc.master() + ": " + trials.size() + " trials, " + SparkContexts.taskCpus(sc)
                    + " thread(s) each");
            return new SparkSweep(sc).run(trials, train, validation, onFinished);
        }
    }

    @Override
    protected boolean perTrialMetrics() {
        return true;
    }
}
