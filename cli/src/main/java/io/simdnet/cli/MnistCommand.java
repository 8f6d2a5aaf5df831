package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import io.simdnet.engine.train.CourseSetups;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.ModelFitter;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The MNIST experiments of the PyTorch course: log-softmax outputs with NLL, SGD 0.01, batch 64, 10 epochs,
 * inputs standardised with the training split's mean and standard deviation (0.1307 and 0.3081 on all of it).
 */
public abstract class MnistCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    protected TrainingOptions options;

    @Option(names = "--validation-split", paramLabel = "FRACTION", description = "Training samples held out for validation (default: ${DEFAULT-VALUE}).")
    double validationSplit = 0.1;

    abstract String name();

    abstract String title();

    /** Whether this is the CNN (else the MLP); the replica setup builds the network from it. */
    abstract boolean cnn();

    /** How the model is trained: here, or data-parallel by the Spark module's subclass. */
    protected ModelFitter fitter() {
        return ModelFitter.LOCAL;
    }

    @Override
    public Integer call() throws Exception {
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be in (0, 1), got " + validationSplit);
        }
        ClassificationRun.configureThreads(options);
        LabeledData data = DataSources.mnist(options);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 1 - validationSplit, validationSplit);
        Standardizer standardizer = Standardizer.fit(parts.get(0));
        Dataset train = standardizer.standardize(parts.get(0));
        Dataset validation = standardizer.standardize(parts.get(1));
        Dataset test = standardizer.standardize(data.test());
        System.out.printf(java.util.Locale.ROOT, "Standardised with the training split's mean %.4f and std %.4f%n", standardizer.mean()[0],
                standardizer.std()[0]);
        new ClassificationRun(name(), title(), options, System.out).testEachEpoch(true).run(new CourseSetups.Mnist(cnn(), options.learningRateOr(0.01)),
                fitter(),
                new FitOptions().epochs(options.epochsOr(10)).batchSize(options.batchSizeOr(64)), train, validation, test,
                data.classNames(), data.source());
        return 0;
    }

    @picocli.CommandLine.Command(name = "mnist-mlp", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "MLP 784-128-10 with log-softmax and NLL on MNIST, SGD 0.01, batch 64, 10 epochs. Course result: test 0.964.")
    public static class Mlp extends MnistCommand {
        @Override
        String name() {
            return "mnist-mlp";
        }

        @Override
        String title() {
            return "MLP 784-128-10 on MNIST";
        }

        @Override
        boolean cnn() {
            return false;
        }
    }

    @picocli.CommandLine.Command(name = "mnist-cnn", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "CNN conv(10, 5×5)-pool-conv(20, 5×5)-pool-fc128-fc10 with log-softmax and NLL on MNIST, SGD 0.01, batch 64, "
                    + "10 epochs. Course result: test 0.9846.")
    public static class Cnn extends MnistCommand {
        @Override
        String name() {
            return "mnist-cnn";
        }

        @Override
        String title() {
            return "CNN conv10-pool-conv20-pool-fc128-fc10 on MNIST";
        }

        @Override
        boolean cnn() {
            return true;
        }
    }
}
