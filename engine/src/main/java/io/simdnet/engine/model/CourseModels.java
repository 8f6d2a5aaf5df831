package io.simdnet.engine.model;

import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;

/**
 * The course networks, as unbuilt Sequential builders, written as their Keras originals (so the parameter
 * counts match: 101,770 / 109,386 / 47,658 / 61,706 / 62,274). A Keras {@code Conv2D(activation="relu")} is a
 * convolution with the ReLU fused into its kernel; with batch norm the ReLU follows the normalisation.
 */
public final class CourseModels {

    private CourseModels() {
    }

    public static Sequential.Builder mlp(int... hidden) {
        Sequential.Builder b = Sequential.input(1, 28, 28).add(new Flatten());
        for (int units : hidden) {
            b.add(new Dense(units)).add(new Relu());
        }
        return b.add(new Dense(10));
    }

    public static Sequential.Builder mnistCnn() {
        return Sequential.input(1, 28, 28)
                .add(new Conv2d(10, 5).relu())
                .add(new MaxPool2d(2))
                .add(new Conv2d(20, 5).relu())
                .add(new MaxPool2d(2))
                .add(new Flatten())
                .add(new Dense(128))
                .add(new Relu())
                .add(new Dense(10));
    }

    /** LeNet-5 on 28×28: conv6 5×5 same, pool, conv16 5×5, pool, conv120 5×5, fc84, fc10. */
    public static Sequential.Builder lenet5(boolean batchNorm) {
        return lenet5(batchNorm, 0);
    }

    /**
     * LeNet-5 with optional batch norm after each convolution and optional dropout (rate {@code dropout} > 0)
     * after each pooling layer and after the third convolution.
     */
    public static Sequential.Builder lenet5(boolean batchNorm, double dropout) {
        Sequential.Builder b = Sequential.input(1, 28, 28);
        convolution(b, new Conv2d(6, 5).padding(Padding.same()), batchNorm);
        b.add(new MaxPool2d(2));
        dropout(b, dropout);
        convolution(b, new Conv2d(16, 5), batchNorm);
        b.add(new MaxPool2d(2));
        dropout(b, dropout);
        convolution(b, new Conv2d(120, 5), batchNorm);
        dropout(b, dropout);
        return b.add(new Flatten()).add(new Dense(84)).add(new Relu()).add(new Dense(10));
    }

    private static void convolution(Sequential.Builder b, Conv2d conv, boolean batchNorm) {
        if (batchNorm) {
            b.add(conv).add(new BatchNorm()).add(new Relu());
        } else {
            b.add(conv.relu());
        }
    }

    private static void dropout(Sequential.Builder b, double rate) {
        if (rate > 0) {
            b.add(new Dropout(rate));
        }
    }
}
