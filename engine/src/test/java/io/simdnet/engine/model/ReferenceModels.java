package io.simdnet.engine.model;

import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Relu;

/** The course networks whose parameter counts Keras and PyTorch print, as unbuilt Sequential builders. */
public final class ReferenceModels {

    private ReferenceModels() {
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

    public static Sequential.Builder lenet5(boolean batchNorm) {
        Sequential.Builder b = Sequential.input(1, 28, 28);
        b.add(new Conv2d(6, 5).padding(Padding.same()));
        if (batchNorm) {
            b.add(new BatchNorm());
        }
        b.add(new Relu()).add(new MaxPool2d(2)).add(new Conv2d(16, 5));
        if (batchNorm) {
            b.add(new BatchNorm());
        }
        b.add(new Relu()).add(new MaxPool2d(2)).add(new Conv2d(120, 5));
        if (batchNorm) {
            b.add(new BatchNorm());
        }
        return b.add(new Relu()).add(new Flatten()).add(new Dense(84)).add(new Relu()).add(new Dense(10));
    }
}
