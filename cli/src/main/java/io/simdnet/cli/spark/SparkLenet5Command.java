package io.simdnet.cli.spark;

import io.simdnet.cli.Lenet5Command;
import io.simdnet.engine.train.ModelFitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lenet5} trained data-parallel on Spark; the same run folder as the local command. */
@Command(name = "lenet5", description = "LeNet-5 on Fashion-MNIST (see bin/simdnet lenet5 --help), trained data-parallel on Spark: each worker "
        + "trains on its shard, and the replicas are combined every --sync-every steps.")
public class SparkLenet5Command extends Lenet5Command {

    @Mixin
    DataParallelOptions cluster;

    @Override
    protected ModelFitter fitter() {
        options.refuseMicroBatches("a data-parallel worker steps on whole batches (its executor's cores split each kernel)");
        return cluster.fitter("simdnet lenet5", System.out);
    }
}
