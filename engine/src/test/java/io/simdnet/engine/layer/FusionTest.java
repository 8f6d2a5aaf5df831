package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.gradcheck.GradientCheck;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Graph;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fusions a model makes when it is built (batch norm or a residual add, and the ReLU after it): which pairs fuse,
 * and that fused pairs give the bits of the layers apart.
 */
class FusionTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    /** Conv → batch norm → ReLU → pooling → dense, the batch norm fusible or not. */
    private static Model convNet(DType dtype, int channels, int size, boolean fusible) {
        return Sequential.input(channels, size, size)
                .add(new Conv2d(5, 3).padding(Padding.same()))
                .add(new BatchNorm().fusible(fusible))
                .add(new Relu())
                .add(new MaxPool2d(2))
                .add(new Flatten())
                .add(new Dense(4))
                .build(dtype, 11);
    }

    private static Tensor random(DType dtype, Rng rng, int... dims) {
        Tensor t = Tensor.zeros(dtype, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, rng.uniform(-1, 1));
        }
        return t;
    }

    /**
     * Random γ (of either sign), β and running statistics for every batch norm of {@code model}, the same for the same
     * seed: at their initial values (γ = 1, β = 0) γ·x̂ + β is x̂ itself, which would hide a wrong recomputed mask.
     */
    private static void perturbBatchNorms(Model model, long seed) {
        Rng rng = new Rng(seed);
        for (Layer layer : model.layers()) {
            if (layer instanceof BatchNorm) {
                for (Parameter p : layer.parameters()) {
                    Tensor v = p.value();
                    for (int i = 0; i < v.size(); i++) {
                        v.set(i, switch (p.name()) {
                            case "weight" -> rng.uniform(-1.5, 1.5);
                            case "bias", "running_mean" -> rng.uniform(-0.5, 0.5);
                            default -> rng.uniform(0.5, 1.5);
                        });
                    }
                }
            }
        }
    }

    /** Every value of a forward and backward: the output, the input gradient and each parameter's gradient, as doubles. */
    private static List<double[]> step(Model model, Tensor x, Tensor dy, boolean training) {
        List<double[]> values = new ArrayList<>();
        values.add(toDoubles(model.forward(x, training)));
        values.add(toDoubles(model.backward(dy, true)));
        for (Parameter p : model.trainableParameters()) {
            values.add(toDoubles(p.gradient()));
        }
        return values;
    }

    private static void assertSameBits(List<double[]> expected, List<double[]> actual, String where) {
        assertEquals(expected.size(), actual.size());
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), actual.get(k), 0.0, "value " + k + " (output, dx, then parameter gradients), " + where);
        }
    }

    private static double[] toDoubles(Tensor t) {
        double[] out = new double[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.get(i);
        }
        return out;
    }

    @Test
    void aBatchNormFollowedByAReluIsFusedAndTheSummarySaysSo() {
        Model model = convNet(DType.F32, 2, 6, true);
        BatchNorm norm = (BatchNorm) model.layers().get(1);
        Relu relu = (Relu) model.layers().get(2);
        assertTrue(norm.fusedRelu());
        assertTrue(relu.fused());
        String summary = model.summary();
        assertTrue(summary.contains("(BatchNorm+ReLU)") && summary.contains("(ReLU, fused)"), summary);
        assertEquals(List.of("conv2d.weight", "conv2d.bias", "batch_norm.weight", "batch_norm.bias", "batch_norm.running_mean",
                "batch_norm.running_var", "dense.weight", "dense.bias"), List.copyOf(model.namedParameters().keySet()),
                "both layers keep their names and parameters");
    }

    @Test
    void fusibleFalseKeepsThePairApart() {
        Model model = convNet(DType.F32, 2, 6, false);
        assertFalse(((BatchNorm) model.layers().get(1)).fusedRelu());
        assertFalse(((Relu) model.layers().get(2)).fused());
    }

    @ParameterizedTest(name = "{0}, batch {1}, {2} channels of {3}², training {4}")
    @CsvSource({
        "F32, 1, 3, 6, true", "F32, 5, 3, 7, true", "F32, 4, 2, 34, true", "F32, 5, 3, 7, false",
        "F64, 1, 2, 6, true", "F64, 3, 3, 5, true", "F64, 3, 3, 5, false"})
    void aFusedPairGivesTheBitsOfTheLayersApartOnOneTwoAndThreeThreads(DType dtype, int batch, int channels, int size, boolean training) {
        Rng rng = new Rng(batch * 100L + size);
        Tensor x = random(dtype, rng, batch, channels, size, size);
        Tensor dy = random(dtype, rng, batch, 4);
        Model apart = convNet(dtype, channels, size, false);
        perturbBatchNorms(apart, 21);
        List<double[]> expected = step(apart, x, dy, training);
        for (int threads = 1; threads <= 3; threads++) {
            KernelPool.setThreads(threads);
            Model fused = convNet(dtype, channels, size, true);
            perturbBatchNorms(fused, 21);
            List<double[]> actual = step(fused, x, dy, training);
            assertSameBits(expected, actual, threads + " threads");
            assertArrayEquals(toDoubles(apart.lastOutput("relu")), toDoubles(fused.lastOutput("relu")), 0.0);
        }
    }

    /** A residual block as cifar-best's: conv → batch norm → ReLU, conv → batch norm, added to the block's input, → ReLU. */
    private static Graph residual(DType dtype, int channels, int size, boolean fusible) {
        Graph.Builder g = Graph.input(channels, size, size);
        Graph.Node x = g.apply(new Relu(), g.apply(new BatchNorm().fusible(fusible), g.apply(new Conv2d(4, 3).padding(Padding.same()), g.inputNode())));
        Graph.Node branch = g.apply(new Relu(), g.apply(new BatchNorm().fusible(fusible), g.apply(new Conv2d(4, 3).padding(Padding.same()), x)));
        branch = g.apply(new BatchNorm().fusible(fusible), g.apply(new Conv2d(4, 3).padding(Padding.same()), branch));
        Graph.Node sum = g.apply(new Relu(), g.apply(new Add().fusible(fusible), branch, x));
        return g.build(g.apply(new Dense(4), g.apply(new GlobalAvgPool(), sum)), dtype, 13);
    }

    @ParameterizedTest(name = "{0}, batch {1}, {2} channels of {3}², training {4}")
    @CsvSource({"F32, 1, 3, 6, true", "F32, 5, 2, 9, true", "F32, 5, 2, 9, false", "F64, 3, 2, 5, true", "F64, 3, 2, 5, false"})
    void aResidualBlockWithFusedPairsGivesTheBitsOfTheLayersApart(DType dtype, int batch, int channels, int size, boolean training) {
        Rng rng = new Rng(batch * 10L + size);
        Tensor x = random(dtype, rng, batch, channels, size, size);
        Tensor dy = random(dtype, rng, batch, 4);
        Graph apart = residual(dtype, channels, size, false);
        perturbBatchNorms(apart, 22);
        List<double[]> expected = step(apart, x, dy, training);
        for (int threads = 1; threads <= 3; threads++) {
            KernelPool.setThreads(threads);
            Graph fused = residual(dtype, channels, size, true);
            perturbBatchNorms(fused, 22);
            assertTrue(fused.summary().contains("(Add+ReLU)"), fused.summary());
            List<double[]> actual = step(fused, x, dy, training);
            assertSameBits(expected, actual, threads + " threads");
        }
    }

    /** Three branches joined by one add, then a ReLU: the max is applied after the last addend. */
    private static Graph threeWayJoin(boolean fusible) {
        Graph.Builder g = Graph.input(2, 5, 5);
        Graph.Node a = g.apply(new Conv2d(3, 3).padding(Padding.same()), g.inputNode());
        Graph.Node b = g.apply(new Conv2d(3, 1), g.inputNode());
        Graph.Node c = g.apply(new Conv2d(3, 3).padding(Padding.same()), g.inputNode());
        Graph.Node sum = g.apply(new Relu(), g.apply(new Add().fusible(fusible), a, b, c));
        return g.build(g.apply(new Dense(4), g.apply(new Flatten(), sum)), DType.F32, 17);
    }

    @Test
    void aThreeWayAddFusedWithItsReluGivesTheBitsOfTheLayersApart() {
        Rng rng = new Rng(31);
        Tensor x = random(DType.F32, rng, 3, 2, 5, 5);
        Tensor dy = random(DType.F32, rng, 3, 4);
        Graph fused = threeWayJoin(true);
        assertTrue(((Add) fused.layers().get(3)).fusedRelu());
        List<double[]> expected = step(threeWayJoin(false), x, dy, true);
        List<double[]> actual = step(fused, x, dy, true);
        assertSameBits(expected, actual, "a three-way add");
    }

    @Test
    void aSecondBackwardAfterOneForwardMasksItsOwnGradient() {
        // Saliency maps per class: one forward, then a backward per output gradient.
        Rng rng = new Rng(41);
        Tensor x = random(DType.F32, rng, 2, 2, 6, 6);
        Graph apart = residual(DType.F32, 2, 6, false);
        Graph fused = residual(DType.F32, 2, 6, true);
        apart.forward(x, false);
        fused.forward(x, false);
        for (int trial = 0; trial < 2; trial++) {
            Tensor dy = random(DType.F32, rng, 2, 4);
            assertArrayEquals(toDoubles(apart.backward(dy, true)), toDoubles(fused.backward(dy, true)), 0.0, "backward " + trial);
        }
    }

    @Test
    void aBatchNormWhoseOutputFeedsTwoLayersOrIsTheOutputIsNotFused() {
        Graph.Builder g = Graph.input(4, 5, 5);
        Graph.Node norm = g.apply(new BatchNorm(), g.apply(new Conv2d(4, 3).padding(Padding.same()), g.inputNode()));
        Graph.Node sum = g.apply(new Add(), g.apply(new Relu(), norm), norm);
        Graph model = g.build(g.apply(new Dense(3), g.apply(new GlobalAvgPool(), sum)), DType.F32, 3);
        assertFalse(((BatchNorm) model.layers().get(1)).fusedRelu(), "its output also feeds the add");

        Graph.Builder h = Graph.input(4, 5, 5);
        Graph.Node out = h.apply(new BatchNorm(), h.inputNode());
        h.apply(new Relu(), out);
        Graph outputModel = h.build(out, DType.F32, 3);
        assertFalse(((BatchNorm) outputModel.layers().get(0)).fusedRelu(), "its output is the model's");
    }

    @Test
    void aResidualGraphWithFusedPairsMatchesFiniteDifferences() {
        Graph.Builder g = Graph.input(2, 6, 6);
        Graph.Node stem = g.apply(new Relu(), g.apply(new BatchNorm(), g.apply(new Conv2d(3, 3).padding(Padding.same()), g.inputNode())));
        Graph.Node branch = g.apply(new Relu(), g.apply(new BatchNorm(), g.apply(new Conv2d(3, 3).padding(Padding.same()), stem)));
        Graph.Node sum = g.apply(new Relu(), g.apply(new Add(), branch, stem));
        Graph model = g.build(g.apply(new Dense(3), g.apply(new GlobalAvgPool(), sum)), DType.F64, 5);
        assertTrue(((BatchNorm) model.layers().get(1)).fusedRelu() && ((BatchNorm) model.layers().get(4)).fusedRelu());
        assertTrue(((Add) model.layers().get(6)).fusedRelu());
        Tensor labels = Tensor.of(new double[] {0, 2, 1, 2}, 4);
        List<GradientCheck.Result> results = GradientCheck.model(model, new SoftmaxCrossEntropy(), random(DType.F64, new Rng(9), 4, 2, 6, 6), labels, false);
        for (GradientCheck.Result r : results) {
            assertTrue(r.maxRelativeError() < 1e-6, GradientCheck.report(results));
        }
    }

    @Test
    void replicasKeepTheFusion() {
        Model model = convNet(DType.F32, 2, 6, true);
        assertTrue(((BatchNorm) model.layers().get(1).replica()).fusedRelu(), "the replicas of Model.newInference and micro-batch steps");
        assertTrue(((Relu) model.layers().get(2).replica()).fused());
    }
}
