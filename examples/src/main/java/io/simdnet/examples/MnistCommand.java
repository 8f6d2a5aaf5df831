package io.simdnet.examples;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import io.simdnet.engine.layer.LogSoftmax;
import io.simdnet.engine.loss.NllLoss;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.tensor.DType;
import io.simdnet.engine.train.FitOptions;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The MNIST experiments of the PyTorch course: log-softmax outputs with NLL, SGD 0.01, batch 64, 10 epochs,
 * inputs standardised with the training split's mean and standard deviation (0.1307 and 0.3081 on all of it).
 */
abstract class MnistCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Option(names = "--validation-split", paramLabel = "FRACTION", description = "Training samples held out for validation (default: ${DEFAULT-VALUE}).")
    double validationSplit = 0.1;

    abstract String name();

    abstract String title();

    abstract Model model(long seed);

    @Override
    public Integer call() throws Exception {
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be in (0, 1), got " + validationSplit);
        }
        ClassificationRun.configureThreads(options);
        LabeledData data = DataSources.mnist(options);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 1 - validationSplit, validationSplit);
        Standardizer standardizer = Standardizer.fit(parts.get(0).inputs());
        standardizer.apply(parts.get(0).inputs());
        standardizer.apply(parts.get(1).inputs());
        standardizer.apply(data.test().inputs());
        System.out.printf(java.util.Locale.ROOT, "Standardised with the training split's mean %.4f and std %.4f%n", standardizer.mean()[0],
                standardizer.std()[0]);
        new ClassificationRun(name(), title(), options, System.out).testEachEpoch(true).run(model(options.seed), new NllLoss(), new Sgd(options.learningRateOr(0.01)),
                new FitOptions().epochs(options.epochsOr(10)).batchSize(options.batchSizeOr(64)), parts.get(0), parts.get(1), data.test(),
                data.classNames(), data.source());
        return 0;
    }

    @picocli.CommandLine.Command(name = "mnist-mlp", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "MLP 784-128-10 with log-softmax and NLL on MNIST, SGD 0.01, batch 64, 10 epochs. Course result: test 0.964.")
    static final class Mlp extends MnistCommand {
        @Override
        String name() {
            return "mnist-mlp";
        }

        @Override
        String title() {
            return "MLP 784-128-10 on MNIST";
        }

        @Override
        Model model(long seed) {
            return CourseModels.mlp(128).add(new LogSoftmax()).build(DType.F32, seed);
        }
    }

    @picocli.CommandLine.Command(name = "mnist-cnn", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "CNN conv(10, 5×5)-pool-conv(20, 5×5)-pool-fc128-fc10 with log-softmax and NLL on MNIST, SGD 0.01, batch 64, "
                    + "10 epochs. Course result: test 0.9846.")
    static final class Cnn extends MnistCommand {
        @Override
        String name() {
            return "mnist-cnn";
        }

        @Override
        String title() {
            return "CNN conv10-pool-conv20-pool-fc128-fc10 on MNIST";
        }

        @Override
        Model model(long seed) {
            return CourseModels.mnistCnn().add(new LogSoftmax()).build(DType.F32, seed);
        }
    }
}
