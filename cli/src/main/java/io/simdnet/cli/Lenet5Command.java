package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.train.CourseSetups;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.ModelFitter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "lenet5", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "LeNet-5 on Fashion-MNIST (28×28, first convolution 'same'): Adam 1e-3, batch 32, 10 epochs (15 with --dropout or "
                + "--batchnorm), 20%% validation split. Course results: test 0.90; with dropout 0.5 0.855; with batch norm 0.901.")
public class Lenet5Command implements Callable<Integer> {

    @Mixin
    protected TrainingOptions options;

    @Option(names = "--dropout", paramLabel = "RATE", description = "Dropout after each pooling layer and after the third convolution.")
    double dropout;

    @Option(names = "--batchnorm", description = "Batch normalisation after each convolution (before its ReLU).")
    boolean batchNorm;

    @Override
    public Integer call() throws Exception {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        }
        ClassificationRun.configureThreads(options);
        LabeledData data = DataSources.fashionMnist(options, System.out);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 0.8, 0.2);
        int defaultEpochs = dropout > 0 || batchNorm ? 15 : 10;
        String variant = (batchNorm ? " with batch norm" : "") + (dropout > 0 ? " with dropout " + dropout : "");
        String name = "lenet5" + (batchNorm ? "-batchnorm" : "") + (dropout > 0 ? "-dropout" : "");
        new ClassificationRun(name, "LeNet-5" + variant + " on Fashion-MNIST", options, System.out).run(
                new CourseSetups.Lenet5(batchNorm, dropout, options.learningRateOr(1e-3)), fitter(), new FitOptions().epochs(options.epochsOr(defaultEpochs)).batchSize(options.batchSizeOr(32)),
                parts.get(0), parts.get(1), data.test(), data.classNames(), data.source());
        return 0;
    }

    /** How the model is trained: here, or data-parallel by the Spark module's subclass. */
    protected ModelFitter fitter() {
        return ModelFitter.LOCAL;
    }
}
