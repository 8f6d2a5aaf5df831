package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.kernel.DType;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "fashion-mlp", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "MLP 784-128-64-10 (ReLU, softmax) on Fashion-MNIST: Adam 1e-3, batch 128, 20 epochs, 20%% validation split. "
                + "Course result: test accuracy 0.886.")
final class FashionMlpCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        ClassificationRun.configureThreads(options);
        LabeledData data = DataSources.fashionMnist(options, System.out);
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 0.8, 0.2);
        Model model = CourseModels.mlp(128, 64).build(DType.F32, options.seed);
        new ClassificationRun("fashion-mlp", "MLP 784-128-64-10 on Fashion-MNIST", options, System.out).run(model, new SoftmaxCrossEntropy(),
                new Adam(options.learningRateOr(1e-3)), new FitOptions().epochs(options.epochsOr(20)).batchSize(options.batchSizeOr(128)),
                parts.get(0), parts.get(1), data.test(), data.classNames(), data.source());
        return 0;
    }
}
