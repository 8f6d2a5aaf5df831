package io.simdnet.cli;

import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;
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

@Command(name = "cifar100-coarse", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "CIFAR-100's 20 superclasses with two convolutions and two max-pools (conv32-pool-conv64-pool-fc256-fc20, "
                + "dropout 0.5), Adam 1e-3, batch 64, 10 epochs, 40,000/10,000/10,000 split. Target: validation accuracy 0.40 or more.")
final class Cifar100CoarseCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--batchnorm", description = "Batch normalisation after each convolution (before its ReLU).")
    boolean batchNorm;

    @Override
    public Integer call() throws Exception {
        ClassificationRun.configureThreads(options);
        CifarData data = CifarData.load(CifarData.Which.CIFAR100_COARSE, options, System.out, normalize);
        Model model = network(data.classNames().size(), batchNorm, options.seed);
        new ClassificationRun("cifar100-coarse", "Two-convolution net on CIFAR-100 superclasses", options, System.out)
                .denormalizeWith(data.standardizer()).run(model,
                new SoftmaxCrossEntropy(), new Adam(options.learningRateOr(1e-3)),
                new FitOptions().epochs(options.epochsOr(10)).batchSize(options.batchSizeOr(64)), data.train(), data.validation(), data.test(),
                data.classNames(), data.source());
        return 0;
    }

    /** Two 3×3 convolutions (32, 64; batch norm before the ReLU with {@code batchNorm}) each with a 2×2 pool, dense 256, dropout, dense. */
    static Model network(int classes, boolean batchNorm, long seed) {
        Sequential.Builder b = Sequential.input(3, 32, 32);
        for (int filters : new int[] {32, 64}) {
            if (batchNorm) {
                b.add(new Conv2d(filters, 3).padding(Padding.same())).add(new BatchNorm()).add(new Relu());
            } else {
                b.add(new Conv2d(filters, 3).padding(Padding.same()).relu());
            }
            b.add(new MaxPool2d(2));
        }
        return b
                .add(new Flatten())
                .add(new Dense(256))
                .add(new Relu())
                .add(new Dropout(0.5))
                .add(new Dense(classes))
                .build(DType.F32, seed);
    }
}
