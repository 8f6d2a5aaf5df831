package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Initializer;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.Evaluation;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cs231n-convnet", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "CS231n's ThreeLayerConvNet: conv (32 filters 7×7, padding 3) - ReLU - 2×2 max-pool - affine 100 - ReLU - affine, weights "
                + "N(0, weight_scale²), loss softmax + 0.5·reg·ΣW², Adam 1e-3, batch 50, one epoch. Runs the course's sanity checks first "
                + "(initial loss ≈ log C; overfitting 100 samples), and can validate every N iterations.")
final class Cs231nConvnetCommand implements Callable<Integer> {

    @Mixin
    TrainingOptions options;

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--dataset", description = "cifar10 or cifar100-coarse (default: ${DEFAULT-VALUE}).", converter = DatasetConverter.class)
    CifarData.Which dataset = CifarData.Which.CIFAR10;

    @Option(names = "--filters", description = "Convolution filters (default: ${DEFAULT-VALUE}).")
    int filters = 32;

    @Option(names = "--filter-size", description = "Filter side, odd; padded to keep the size (default: ${DEFAULT-VALUE}).")
    int filterSize = 7;

    @Option(names = "--hidden", description = "Hidden affine units (default: ${DEFAULT-VALUE}).")
    int hidden = 100;

    @Option(names = "--weight-scale", description = "Standard deviation of the initial weights (default: ${DEFAULT-VALUE}).")
    double weightScale = 1e-3;

    @Option(names = "--reg", description = "CS231n's L2 strength: the loss adds 0.5·reg·ΣW² over all weights (default: ${DEFAULT-VALUE}).")
    double reg = 0;

    @Option(names = "--validate-every", paramLabel = "N", description = "Also evaluate on the validation split every N iterations "
            + "(CS231n's Solver checks once per epoch; 0: per epoch only).")
    int validateEvery;

    @Option(names = "--skip-sanity-checks", description = "Do not run the initial-loss and overfitting checks.")
    boolean skipSanityChecks;

    @Override
    public Integer call() throws Exception {
        if (filters <= 0 || hidden <= 0 || filterSize <= 0 || filterSize % 2 == 0) {
            throw new IllegalArgumentException("--filters and --hidden must be positive and --filter-size odd, got " + filters + ", " + hidden + ", "
                    + filterSize);
        }
        if (!(weightScale > 0) || !(reg >= 0) || validateEvery < 0) {
            throw new IllegalArgumentException("--weight-scale must be > 0, --reg >= 0 and --validate-every >= 0, got " + weightScale + ", " + reg
                    + ", " + validateEvery);
        }
        ClassificationRun.configureThreads(options);
        CifarData data = CifarData.load(dataset, options, System.out, normalize);
        int classes = data.classNames().size();
        List<String> sanity = new ArrayList<>();
        if (!skipSanityChecks) {
            sanity.addAll(sanityChecks(data.train(), classes));
        }
        Model model = network(classes, weightScale, reg, options.seed);
        FitOptions fit = new FitOptions().epochs(options.epochsOr(1)).batchSize(options.batchSizeOr(50));
        List<double[]> checks = new ArrayList<>();
        if (validateEvery > 0) {
            fit.callback(new Callback() {
                private int perEpoch;

                @Override
                public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
                    perEpoch = stepsPerEpoch;
                }

                @Override
                public void onBatchEnd(Trainer trainer, int epoch, int step, double loss, int batchSize) {
                    int iteration = epoch * perEpoch + step + 1;
                    if (iteration % validateEvery == 0) {
                        Evaluation val = trainer.evaluate(data.validation(), 500);
                        checks.add(new double[] {iteration, val.loss(), val.accuracy()});
                        System.out.printf(Locale.ROOT, "(Iteration %d) loss %.4f, val_loss %.4f, val_acc %.4f%n", iteration, loss, val.loss(),
                                val.accuracy());
                    }
                }
            });
        }
        ClassificationRun.Result result = new ClassificationRun("cs231n-convnet-" + DatasetConverter.name(dataset),
                "CS231n three-layer convnet on " + DatasetConverter.name(dataset), options, System.out).denormalizeWith(data.standardizer())
                .run(model, new SoftmaxCrossEntropy(), new Adam(options.learningRateOr(1e-3)), fit, data.train(), data.validation(), data.test(),
                        data.classNames(), data.source());
        if (!sanity.isEmpty()) {
            result.folder().writeText("sanity_checks.txt", String.join("\n", sanity) + "\n");
        }
        if (!checks.isEmpty()) {
            StringBuilder csv = new StringBuilder("iteration,val_loss,val_accuracy\n");
            double[] x = new double[checks.size()];
            double[] loss = new double[checks.size()];
            double[] accuracy = new double[checks.size()];
            for (int i = 0; i < checks.size(); i++) {
                double[] c = checks.get(i);
                csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f%n", (int) c[0], c[1], c[2]));
                x[i] = c[0];
                loss[i] = c[1];
                accuracy[i] = c[2];
            }
            result.folder().writeText("validation_checks.csv", csv.toString());
            Map<String, double[]> curves = new LinkedHashMap<>();
            curves.put("validation accuracy", accuracy);
            curves.put("validation loss", loss);
            Plots.xy("Validation every " + validateEvery + " iterations", "iteration", "value", x, curves,
                    result.folder().path("validation_checks.png"));
        }
        return 0;
    }

    /** conv - relu - 2×2 max pool - affine - relu - affine, every weight N(0, scale²), biases 0, 0.5·reg·ΣW² on each. */
    Model network(int classes, double scale, double l2, long seed) {
        Regularizer penalty = Regularizer.l2(l2 / 2);
        Initializer init = new Initializer.Normal(scale);
        return Sequential.input(3, 32, 32)
                .add(new Conv2d(filters, filterSize).padding(Padding.of(filterSize / 2)).weightInit(init).regularizer(penalty).relu())
                .add(new MaxPool2d(2))
                .add(new Flatten())
                .add(new Dense(hidden).weightInit(init).regularizer(penalty)).add(new Relu())
                .add(new Dense(classes).weightInit(init).regularizer(penalty))
                .build(DType.F32, seed);
    }

    /**
     * The course's two checks: with tiny weights and no regularisation the loss of a batch is log C (it grows with
     * reg); and the net can drive the training accuracy of 100 samples to (nearly) 1 in 15 epochs (weight scale 1e-2,
     * as the notebook), while validation stays low: overfitting is possible, so the gradients work.
     */
    private List<String> sanityChecks(Dataset train, int classes) throws IOException {
        List<String> lines = new ArrayList<>();
        Dataset batch = DataSplits.rows(train, 0, Math.min(50, train.size()));
        double logC = Math.log(classes);
        double initial = new Trainer(network(classes, weightScale, 0, options.seed), new SoftmaxCrossEntropy(), new Adam(1e-3))
                .evaluate(batch, 50).loss();
        lines.add(String.format(Locale.ROOT, "Initial loss (no regularisation): %.4f, log C = log %d = %.4f: %s", initial, classes, logC,
                Math.abs(initial - logC) < 0.05 * logC ? "ok" : "OFF (check the initialisation)"));
        if (reg > 0) {
            double regularised = new Trainer(network(classes, weightScale, reg, options.seed), new SoftmaxCrossEntropy(), new Adam(1e-3))
                    .evaluate(batch, 50).loss();
            lines.add(String.format(Locale.ROOT, "Initial loss with reg %.3g: %.4f (higher than without: %s)", reg, regularised,
                    regularised > initial ? "ok" : "OFF"));
        }
        Dataset small = DataSplits.rows(train, 0, Math.min(100, train.size()));
        Model overfit = network(classes, 1e-2, 0, options.seed);
        Trainer trainer = options.applyTo(new Trainer(overfit, new SoftmaxCrossEntropy(), new Adam(1e-3)));
        History history = trainer.fit(small, new FitOptions().epochs(15).batchSize(50).seed(options.seed));
        double accuracy = trainer.evaluate(small, 100).accuracy();
        lines.add(String.format(Locale.ROOT, "Overfitting %d samples, 15 epochs: training accuracy %.3f, loss %.4f → %.4f: %s", small.size(),
                accuracy, history.epochs().get(0).trainLoss(), history.last().trainLoss(), accuracy >= 0.9 ? "ok" : "LOW (check the gradients)"));
        lines.forEach(System.out::println);
        return lines;
    }
}
