package io.simdnet.cli;

import io.simdnet.engine.data.RandomCropFlip;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.LearningRateSchedule;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.LearningRateScheduler;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cifar-best", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "A small residual network with batch norm and dropout, trained with random crops (padding 4) and flips, "
                + "AdamW and a cosine schedule over 10 epochs. Targets: 0.70 validation accuracy on CIFAR-10 (the course's challenge), "
                + "0.60 on CIFAR-100's superclasses.")
final class CifarBestCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--dataset", description = "cifar10 or cifar100-coarse (default: ${DEFAULT-VALUE}).", converter = DatasetConverter.class)
    CifarData.Which dataset = CifarData.Which.CIFAR100_COARSE;

    @Option(names = "--width", description = "Channels of the stem; the two stages have 2× and 4× (default: ${DEFAULT-VALUE}).")
    int width = 32;

    @Override
    public Integer call() throws Exception {
        if (width <= 0) {
            throw new IllegalArgumentException("--width must be positive, got " + width);
        }
        ClassificationRun.configureThreads(options);
        CifarData data = CifarData.load(dataset, options, System.out, normalize);
        Model model = CourseModels.cifarBest(data.classNames().size(), width, options.seed);
        int epochs = options.epochsOr(10);
        FitOptions fit = new FitOptions().epochs(epochs).batchSize(options.batchSizeOr(64)).augmentation(new RandomCropFlip(4, true))
                .callback(new LearningRateScheduler(new LearningRateSchedule.Cosine(epochs, 0)));
        new ClassificationRun("cifar-best-" + DatasetConverter.name(dataset), "Residual net on " + DatasetConverter.name(dataset), options,
                System.out).denormalizeWith(data.standardizer()).run(model, new SoftmaxCrossEntropy(), Adam.adamW(options.learningRateOr(2e-3), 5e-4), fit, data.train(),
                data.validation(), data.test(), data.classNames(), data.source());
        return 0;
    }
}
