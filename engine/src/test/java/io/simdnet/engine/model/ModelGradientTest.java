package io.simdnet.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.gradcheck.GradientCheck;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Add;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Concatenate;
import io.simdnet.engine.layer.PRelu;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Elu;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.GlobalAvgPool;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.layer.Sigmoid;
import io.simdnet.engine.layer.SparsityPenalty;
import io.simdnet.engine.layer.Tanh;
import io.simdnet.engine.loss.MeanSquaredError;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole models against finite differences: chains, residual graphs, and the sparse autoencoder cost. */
class ModelGradientTest {

    private static Tensor random(Rng rng, int... dims) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, rng.uniform(-1, 1));
        }
        return t;
    }

    private static void assertAllBelow(List<GradientCheck.Result> results, double tolerance) {
        for (GradientCheck.Result r : results) {
            assertTrue(r.maxRelativeError() < tolerance, GradientCheck.report(results));
        }
    }

    @Test
    void smallConvNetWithBatchNormMatchesFiniteDifferences() {
        Model model = Sequential.input(2, 8, 8)
                .add(new Conv2d(3, 3).padding(Padding.same()))
                .add(new BatchNorm())
                .add(new Relu())
                .add(new MaxPool2d(2))
                .add(new Dropout(0.3))
                .add(new Flatten())
                .add(new Dense(5).regularizer(Regularizer.l2(0.01)))
                .build(DType.F64, 3);
        Rng rng = new Rng(4);
        Tensor labels = Tensor.of(new double[] {0, 4, 2, 1, 3, 2}, 6);
        assertAllBelow(GradientCheck.model(model, new SoftmaxCrossEntropy(), random(rng, 6, 2, 8, 8), labels, false), 1e-6);
    }

    @Test
    void inputGradientOfAConvNetMatchesFiniteDifferences() {
        // A Flatten first would normally end back-propagation before it; asked for dL/dx, it must not.
        Model model = Sequential.input(2, 6, 6)
                .add(new Dropout(0.2))
                .add(new Conv2d(3, 3).padding(Padding.same()))
                .add(new BatchNorm())
                .add(new Tanh())
                .add(new MaxPool2d(2))
                .add(new Flatten())
                .add(new Dense(4).regularizer(Regularizer.l2(0.01)))
                .build(DType.F64, 3);
        Rng rng = new Rng(7);
        Tensor labels = Tensor.of(new double[] {0, 3, 2, 1, 3}, 5);
        GradientCheck.Result r = GradientCheck.modelInput(model, new SoftmaxCrossEntropy(), random(rng, 5, 2, 6, 6), labels, false);
        assertEquals(5 * 72, r.checked());
        assertTrue(r.maxRelativeError() < 1e-6, r.toString());
    }

    @Test
    void inputGradientOfAGraphSumsEveryConsumerOfTheInput() {
        Graph.Builder g = Graph.input(3, 4, 4);
        Graph.Node a = g.apply(new Conv2d(3, 3).padding(Padding.same()), g.inputNode());
        Graph.Node sum = g.apply(new Add(), g.apply(new Tanh(), a), g.inputNode());
        Graph.Node out = g.apply(new Dense(2), g.apply(new GlobalAvgPool(), g.apply(new Elu(), sum)));
        Graph model = g.build(out, DType.F64, 2);
        Tensor labels = Tensor.of(new double[] {1, 0, 1}, 3);
        GradientCheck.Result r = GradientCheck.modelInput(model, new SoftmaxCrossEntropy(), random(new Rng(8), 3, 3, 4, 4), labels, true);
        assertTrue(r.maxRelativeError() < 1e-6, r.toString());
    }

    @Test
    void denseNetStyleConcatenationMatchesFiniteDifferences() {
        Graph.Builder g = Graph.input(2, 4, 4);
        Graph.Node stem = g.apply(new Conv2d(3, 3).padding(Padding.same()), g.inputNode());
        Graph.Node grown = g.apply(PRelu.perChannel(), g.apply(new Conv2d(2, 3).padding(Padding.same()), stem));
        Graph.Node joined = g.apply(new Concatenate(), stem, grown, g.inputNode());
        Graph.Node out = g.apply(new Dense(3), g.apply(new GlobalAvgPool(), g.apply(new Tanh(), joined)));
        Graph model = g.build(out, DType.F64, 4);
        assertEquals(io.simdnet.engine.tensor.Shape.of(7, 4, 4), model.layers().get(3).outputShape());
        Tensor x = random(new Rng(9), 3, 2, 4, 4);
        Tensor labels = Tensor.of(new double[] {2, 0, 1}, 3);
        assertAllBelow(GradientCheck.model(model, new SoftmaxCrossEntropy(), x, labels, true), 1e-6);
        assertTrue(GradientCheck.modelInput(model, new SoftmaxCrossEntropy(), x, labels, true).maxRelativeError() < 1e-6);
    }

    @Test
    void concatenationStacksChannelsPerSampleInInputOrder() {
        Graph.Builder g = Graph.input(1, 1, 2);
        Graph.Node doubled = g.apply(new PRelu().initialSlope(2), g.inputNode());
        Graph model = g.build(g.apply(new Concatenate(), g.inputNode(), doubled), DType.F64, 1);
        Tensor y = model.forward(Tensor.of(new double[] {1, -1, -3, 4}, 2, 1, 1, 2), false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, -1, 1, -2, -3, 4, -6, 4}, y.toDoubleArray());
    }

    @Test
    void concatenationOfMismatchedImagesIsRejectedNamingTheShapes() {
        Graph.Builder g = Graph.input(1, 4, 4);
        Graph.Node pooled = g.apply(new MaxPool2d(2), g.inputNode());
        g.apply(new Concatenate(), g.inputNode(), pooled);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.build(new Graph.Node(2), DType.F32, 1));
        assertTrue(e.getMessage().contains("(1, 4, 4)") && e.getMessage().contains("(1, 2, 2)"), e.getMessage());
    }

    @Test
    void backwardWithoutInputGradientReturnsNull() {
        Model model = Sequential.input(4).add(new Dense(3)).build(DType.F64, 1);
        Tensor out = model.forward(random(new Rng(1), 2, 4), true);
        Tensor dy = Tensor.zeros(DType.F64, out.shape());
        assertEquals(null, model.backward(dy, false));
        Tensor dx = model.backward(dy, true);
        assertEquals(model.inputShape().withBatch(2), dx.shape());
    }

    @Test
    void lastOutputGivesALayersActivationOfTheLastForward() {
        Model model = Sequential.input(1, 4, 4).add(new Conv2d(2, 3).padding(Padding.same())).add(new Relu()).add(new Flatten())
                .add(new Dense(2)).build(DType.F64, 1);
        Tensor x = random(new Rng(2), 1, 1, 4, 4);
        model.forward(x, false);
        Tensor relu = model.lastOutput("relu");
        assertEquals(io.simdnet.engine.tensor.Shape.of(1, 2, 4, 4), relu.shape());
        for (int i = 0; i < relu.size(); i++) {
            assertEquals(Math.max(0, model.lastOutput("conv2d").get(i)), relu.get(i), 0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.lastOutput("conv9"));
        assertTrue(e.getMessage().contains("conv9") && e.getMessage().contains("dense"), e.getMessage());
    }

    @Test
    void residualBlockSumsGradientsOfBothPaths() {
        Graph.Builder g = Graph.input(3, 6, 6);
        Graph.Node stem = g.apply(new Tanh(), g.apply(new Conv2d(4, 3).padding(Padding.same()), g.inputNode()));
        Graph.Node branch = g.apply(new Conv2d(4, 3).padding(Padding.same()), g.apply(new BatchNorm(), stem));
        Graph.Node sum = g.apply(new Add(), branch, stem);
        // Smooth activations: with ReLUs, one pre-activation came within 4e-6 of the kink, where finite differences are meaningless.
        Graph.Node out = g.apply(new Dense(3), g.apply(new GlobalAvgPool(), g.apply(new Elu(), sum)));
        Graph model = g.build(out, DType.F64, 9);
        Rng rng = new Rng(5);
        Tensor labels = Tensor.of(new double[] {0, 2, 1, 1}, 4);
        assertAllBelow(GradientCheck.model(model, new SoftmaxCrossEntropy(), random(rng, 4, 3, 6, 6), labels, true), 1e-6);
        String summary = model.summary();
        assertTrue(summary.contains("Connected to") && summary.contains("conv2d_1, tanh"), summary);
    }

    @Test
    void cifarBestStyleResidualNetMatchesFiniteDifferencesInTraining() {
        // The fast layers of cifar-best in one graph: batch norm on batch statistics, ReLU, a residual add (whose input
        // gradient is summed over two consumers), max and global average pooling, dense, softmax cross-entropy. No
        // dropout: in training it draws a new mask per forward, which finite differences cannot follow.
        Graph.Builder g = Graph.input(2, 8, 8);
        Graph.Node stem = g.apply(new Relu(), g.apply(new BatchNorm(), g.apply(new Conv2d(5, 3).padding(Padding.same()).bias(false), g.inputNode())));
        // Without biases before batch norm, as cifar-best: their true gradient is 0 and only rounding noise is left.
        Graph.Node branch = g.apply(new Relu(), g.apply(new BatchNorm(), g.apply(new Conv2d(5, 3).padding(Padding.same()).bias(false), stem)));
        branch = g.apply(new BatchNorm(), g.apply(new Conv2d(5, 3).padding(Padding.same()).bias(false), branch));
        Graph.Node block = g.apply(new MaxPool2d(2), g.apply(new Relu(), g.apply(new Add(), branch, stem)));
        Graph.Node out = g.apply(new Dense(4), g.apply(new GlobalAvgPool(), block));
        Graph model = g.build(out, DType.F64, 21);
        Rng rng = new Rng(22);
        Tensor labels = Tensor.of(new double[] {3, 0, 2}, 3);
        Tensor x = random(rng, 3, 2, 8, 8);
        assertAllBelow(GradientCheck.model(model, new SoftmaxCrossEntropy(), x, labels, true), 1e-6);
        // Behind three batch norms on batch statistics some input gradients are ~1e-5, where the finite difference's
        // rounding (~1e-16·L/h ≈ 1e-11) is already 1e-6 of them: a looser bound than for the parameters, not a wrong term.
        GradientCheck.Result input = GradientCheck.modelInput(model, new SoftmaxCrossEntropy(), x, labels, true);
        assertTrue(input.maxRelativeError() < 1e-5, input.toString());
    }

    @Test
    void sparseAutoencoderCostMatchesFiniteDifferences() {
        double lambda = 5e-4;
        Model model = Sequential.input(16)
                .add(new Dense(4).regularizer(Regularizer.l2(lambda / 2)))
                .add(new Sigmoid())
                .add(new SparsityPenalty(0.05, 0.1))
                .add(new Dense(16).regularizer(Regularizer.l2(lambda / 2)))
                .add(new Sigmoid())
                .build(DType.F64, 2);
        Rng rng = new Rng(6);
        Tensor x = Tensor.zeros(DType.F64, 10, 16);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.uniform(0.1, 0.9));
        }
        assertAllBelow(GradientCheck.model(model, MeanSquaredError.halfSumPerSample(), x, x, true), 1e-6);
    }

    @Test
    void sparseAutoencoderCostIsTheCourseFormula() {
        double lambda = 1e-3;
        double rho = 0.05;
        double beta = 3;
        Dense encoder = new Dense(3).regularizer(Regularizer.l2(lambda / 2));
        Dense decoder = new Dense(6).regularizer(Regularizer.l2(lambda / 2));
        Model model = Sequential.input(6).add(encoder).add(new Sigmoid()).add(new SparsityPenalty(rho, beta)).add(decoder).add(new Sigmoid())
                .build(DType.F64, 8);
        Rng rng = new Rng(1);
        Tensor x = random(rng, 5, 6);
        double cost = MeanSquaredError.halfSumPerSample().compute(model.forward(x, true), x, null) + model.regularizationLoss();

        double[][] w1 = matrix(model.parameter("dense.weight").value(), 6, 3);
        double[][] w2 = matrix(model.parameter("dense_1.weight").value(), 3, 6);
        double[] b1 = model.parameter("dense.bias").value().toDoubleArray();
        double[] b2 = model.parameter("dense_1.bias").value().toDoubleArray();
        double squared = 0;
        double[] rhoHat = new double[3];
        for (int n = 0; n < 5; n++) {
            double[] h = new double[3];
            for (int j = 0; j < 3; j++) {
                double z = b1[j];
                for (int i = 0; i < 6; i++) {
                    z += x.get(n * 6 + i) * w1[i][j];
                }
                h[j] = 1 / (1 + Math.exp(-z));
                rhoHat[j] += h[j] / 5;
            }
            for (int i = 0; i < 6; i++) {
                double z = b2[i];
                for (int j = 0; j < 3; j++) {
                    z += h[j] * w2[j][i];
                }
                double d = 1 / (1 + Math.exp(-z)) - x.get(n * 6 + i);
                squared += d * d;
            }
        }
        double weights = 0;
        for (double[] row : w1) {
            for (double w : row) {
                weights += w * w;
            }
        }
        for (double[] row : w2) {
            for (double w : row) {
                weights += w * w;
            }
        }
        double kl = 0;
        for (double r : rhoHat) {
            kl += rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r));
        }
        double expected = squared / (2 * 5) + lambda / 2 * weights + beta * kl;
        assertEquals(expected, cost, 1e-12);
    }

    private static double[][] matrix(Tensor t, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = t.get(r * cols + c);
            }
        }
        return m;
    }

    @Test
    void wrongInputShapeIsRejectedNamingBothShapes() {
        Model model = CourseModels.lenet5(false).build(DType.F32, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(DType.F32, 2, 3, 28, 28), false));
        assertTrue(e.getMessage().contains("(1, 28, 28)") && e.getMessage().contains("(2, 3, 28, 28)"), e.getMessage());
    }

    @Test
    void denseAfterImagesWithoutFlattenIsRejectedAtBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.input(1, 28, 28).add(new Conv2d(4, 3)).add(new Dense(10)).build(DType.F32, 1));
        assertTrue(e.getMessage().contains("dense") && e.getMessage().contains("Flatten"), e.getMessage());
    }
}
