package io.simdnet.cli;

import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.kernel.DType;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cifar10-convnet", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "The course's convnet: (conv 32 5×5 - ReLU - 2×2 max-pool) ×2 - affine, Adam 1e-3, batch 64, one epoch. "
                + "Course result on CIFAR-10: 0.50. CIFAR-10 is not available offline here: --dataset cifar100-coarse runs it on CIFAR-100's superclasses.")
final class Cifar10ConvnetCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--dataset", description = "cifar10 or cifar100-coarse (default: ${DEFAULT-VALUE}).", converter = DatasetConverter.class)
    CifarData.Which dataset = CifarData.Which.CIFAR10;

    @Override
    public Integer call() throws Exception {
        ClassificationRun.configureThreads(options);
        CifarData data = CifarData.load(dataset, options, System.out, normalize);
        Model model = network(data.classNames().size(), options.seed);
        new ClassificationRun("cifar10-convnet-" + DatasetConverter.name(dataset), "Course convnet on " + DatasetConverter.name(dataset), options,
                System.out).denormalizeWith(data.standardizer()).run(model, new SoftmaxCrossEntropy(), new Adam(options.learningRateOr(1e-3)),
                new FitOptions().epochs(options.epochsOr(1)).batchSize(options.batchSizeOr(64)), data.train(), data.validation(), data.test(),
                data.classNames(), data.source());
        return 0;
    }

    /** conv32 5×5 same + ReLU, pool, conv32 5×5 same + ReLU, pool, dense. */
    static Model network(int classes, long seed) {
        return Sequential.input(3, 32, 32)
                .add(new Conv2d(32, 5).padding(Padding.same()).relu())
                .add(new MaxPool2d(2))
                .add(new Conv2d(32, 5).padding(Padding.same()).relu())
                .add(new MaxPool2d(2))
                .add(new Flatten())
                .add(new Dense(classes))
                .build(DType.F32, seed);
    }
}
