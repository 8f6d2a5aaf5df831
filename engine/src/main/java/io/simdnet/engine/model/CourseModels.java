package io.simdnet.engine.model;

import io.simdnet.engine.layer.Add;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.GlobalAvgPool;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;
import io.simdnet.kernel.DType;

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

    /**
     * The {@code cifar-best} residual network: a stem convolution at 32×32, then two stages at 16×16 and 8×8, each a
     * widening convolution and a residual block of two convolutions whose sum with the block's input goes through a
     * ReLU, every convolution followed by batch norm; max-pool between stages; global average pooling, dropout 0.3 and
     * a dense classifier. Most of the work is at 16×16 and 8×8, which keeps an epoch of 40,000 images near a minute on
     * two cores.
     */
    public static Model cifarBest(int classes, int width, long seed) {
        Graph.Builder g = Graph.input(3, 32, 32);
        Graph.Node x = g.apply(new MaxPool2d(2), convBnRelu(g, g.inputNode(), width));
        int channels = 2 * width;
        for (int stage = 0; stage < 2; stage++) {
            x = convBnRelu(g, x, channels);
            Graph.Node branch = convBnRelu(g, x, channels);
            branch = g.apply(new BatchNorm(), g.apply(new Conv2d(channels, 3).padding(Padding.same()).bias(false), branch));
            x = g.apply(new MaxPool2d(2), g.apply(new Relu(), g.apply(new Add(), branch, x)));
            channels *= 2;
        }
        x = g.apply(new Dropout(0.3), g.apply(new GlobalAvgPool(), x));
        return g.build(g.apply(new Dense(classes), x), DType.F32, seed);
    }

    private static Graph.Node convBnRelu(Graph.Builder g, Graph.Node in, int channels) {
        Graph.Node conv = g.apply(new Conv2d(channels, 3).padding(Padding.same()).bias(false), in);
        return g.apply(new Relu(), g.apply(new BatchNorm(), conv));
    }
}
