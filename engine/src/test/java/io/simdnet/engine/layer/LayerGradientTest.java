package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.gradcheck.GradientCheck;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layer's backward pass against centred finite differences in double: relative error 1e-6 or better. */
class LayerGradientTest {

    private static final double TOLERANCE = 1e-6;

    static Stream<Arguments> layers() {
        return Stream.of(
                layer("dense", () -> new Dense(5), 7),
                layer("dense without bias", () -> new Dense(3, false), 4),
                layer("dense with l2", () -> new Dense(4).regularizer(Regularizer.l2(0.3)), 6),
                layer("conv2d valid", () -> new Conv2d(3, 3), 2, 6, 5),
                layer("conv2d same stride 2", () -> new Conv2d(2, 3).stride(2).padding(Padding.same()), 3, 7, 6),
                layer("conv2d padded fused relu", () -> new Conv2d(4, 2, 3).padding(Padding.of(1)).relu(), 2, 5, 5),
                layer("max pool 2x2", () -> new MaxPool2d(2), 2, 6, 4),
                layer("max pool 3x3 stride 2 overlapping", () -> new MaxPool2d(3, 2, 1), 2, 7, 7),
                layer("avg pool", () -> new AvgPool2d(2), 3, 4, 6),
                layer("global avg pool", GlobalAvgPool::new, 3, 4, 5),
                layer("flatten", Flatten::new, 2, 3, 2),
                layer("relu", Relu::new, 11),
                layer("leaky relu", () -> new LeakyRelu(0.2), 11),
                layer("prelu shared slope", PRelu::new, 11),
                layer("prelu per channel", PRelu::perChannel, 3, 2, 2),
                layer("prelu per feature", PRelu::perChannel, 5),
                layer("elu", Elu::new, 11),
                layer("gelu exact", Gelu::new, 13),
                layer("gelu tanh", () -> new Gelu(true), 13),
                layer("sigmoid", Sigmoid::new, 9),
                layer("tanh", Tanh::new, 9),
                layer("softmax", Softmax::new, 6),
                layer("log softmax", LogSoftmax::new, 6),
                layer("batch norm features", BatchNorm::new, 5),
                layer("batch norm spatial", BatchNorm::new, 3, 4, 3),
                layer("layer norm", LayerNorm::new, 8),
                layer("layer norm spatial", LayerNorm::new, 2, 3, 3),
                layer("group norm", () -> new GroupNorm(2), 4, 3, 2),
                layer("dropout in eval mode", () -> new Dropout(0.5), 6),
                layer("sparsity penalty", () -> new SparsityPenalty(0.05, 3.0), 5));
    }

    private static Arguments layer(String name, Supplier<Layer> factory, int... sampleShape) {
        return Arguments.of(name, factory, sampleShape);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void backwardMatchesFiniteDifferences(String name, Supplier<Layer> factory, int[] sampleShape) {
        // Dropout draws a new mask on every forward pass, so only its evaluation mode is deterministic.
        boolean[] modes = name.startsWith("dropout") ? new boolean[] {false} : new boolean[] {true, false};
        for (boolean training : modes) {
            Layer layer = factory.get().named("checked");
            Rng rng = new Rng(11);
            layer.build(Shape.of(sampleShape), DType.F64, rng);
            randomiseParameters(layer, rng);
            int batch = 4;
            Tensor x = Tensor.zeros(DType.F64, Shape.of(sampleShape).withBatch(batch));
            for (int i = 0; i < x.size(); i++) {
                // Away from 0, where ReLU-like kinks would make finite differences meaningless; in (0, 1) for the sparsity penalty.
                double magnitude = rng.uniform(0.05, 0.95);
                x.set(i, layer instanceof SparsityPenalty || rng.nextDouble() < 0.5 ? magnitude : -magnitude * 2);
            }
            List<GradientCheck.Result> results = GradientCheck.layer(layer, x, training, 5);
            for (GradientCheck.Result r : results) {
                assertTrue(r.maxRelativeError() < TOLERANCE, name + (training ? " (training)" : " (eval)") + ": " + r);
            }
        }
    }

    /** Non-default parameters, so that γ = 1, β = 0 and zero biases cannot hide a wrong term. */
    private static void randomiseParameters(Layer layer, Rng rng) {
        for (Parameter p : layer.parameters()) {
            for (int i = 0; i < p.value().size(); i++) {
                double v = p.value().get(i);
                if (p.name().equals("running_var")) {
                    p.value().set(i, rng.uniform(0.5, 2));
                } else {
                    p.value().set(i, v + rng.uniform(-0.5, 0.5));
                }
            }
        }
    }
}
