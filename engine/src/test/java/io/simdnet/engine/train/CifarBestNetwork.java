package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Add;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.GlobalAvgPool;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.model.Graph;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/** The network of the cli's {@code cifar-best} command, for the engine's tests (which do not depend on the cli). */
final class CifarBestNetwork {

    private CifarBestNetwork() {
    }

    /**
     * cifar-best's network (cli's {@code CifarBestCommand.network}), built here from the engine's layers: a stem
     * convolution at 32×32, two residual stages at 16×16 and 8×8, every convolution followed by batch norm, max-pool
     * between stages, global average pooling, dropout and a dense classifier.
     */
    static Model model(int classes, int width, long seed) {
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

    /** Random 3×32×32 images, standard normal as standardised CIFAR pixels, with random labels below {@code classes}. */
    static Dataset images(int count, int classes, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 3, 32, 32);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.gaussian());
        }
        for (int i = 0; i < count; i++) {
            y.set(i, rng.nextInt(classes));
        }
        return Dataset.of(x, y);
    }
}
