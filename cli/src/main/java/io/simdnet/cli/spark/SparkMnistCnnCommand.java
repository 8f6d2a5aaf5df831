package io.simdnet.cli.spark;

import io.simdnet.cli.MnistCommand;
import io.simdnet.engine.train.ModelFitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mnist-cnn} trained data-parallel on Spark; the same run folder as the local command. */
@Command(name = "mnist-cnn", description = "The MNIST CNN (see bin/simdnet mnist-cnn --help), trained data-parallel on Spark: each worker trains "
        + "on its shard, and the replicas are combined every --sync-every steps.")
public class SparkMnistCnnCommand extends MnistCommand.Cnn {

    @Mixin
    DataParallelOptions cluster;

    @Override
    protected ModelFitter fitter() {
        options.refuseMicroBatches("a data-parallel worker steps on whole batches (its executor's cores split each kernel)");
        return cluster.fitter("simdnet mnist-cnn", System.out);
    }
}
